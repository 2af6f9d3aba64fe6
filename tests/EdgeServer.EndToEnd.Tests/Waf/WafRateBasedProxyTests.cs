using System.Net;
using EdgeServer.EndToEnd.Tests.Infrastructure;
using EdgeServer.EndToEnd.Tests.Tls;

namespace EdgeServer.EndToEnd.Tests.Waf;

/// <summary>
/// The shipped login rate limit (config/waf/login-rate-limit.yaml) through the running proxy: the sixth login POST from
/// one address in a minute gets the rule's 429 and never reaches the backend, while other addresses and other routes go
/// on, and a reload that leaves the rule unchanged keeps the count.
/// </summary>
public sealed class WafRateBasedProxyTests : IDisposable
{
    private static readonly string Example = Path.Combine(FindRepositoryRoot(), "config", "waf", "login-rate-limit.yaml");
    private static readonly IPAddress OtherClient = IPAddress.Parse("127.0.0.2");
    private readonly string _dir = Directory.CreateTempSubdirectory("edge-waf-rate-e2e-").FullName;

    private string CopyExample(string? edit = null)
    {
        var path = Path.Combine(_dir, "login-rate-limit.yaml");
        var text = File.ReadAllText(Example);
        File.WriteAllText(path + ".tmp", edit is null ? text : text + edit);
        File.Move(path + ".tmp", path, overwrite: true);
        return path;
    }

    private static string Config(string backend, string rules) => $$"""
        listeners:
          - name: public
            address: 127.0.0.1:0
        admin:
          address: 127.0.0.1:0
        limits:
          headerTimeout: 2s
        routes:
          - name: login
            match: { path: /login }
            cluster: app
            waf: { request: {{rules}} }
          - name: app
            match: { path: / }
            cluster: app
        clusters:
          - name: app
            destinations: [{{backend}}]
        accessLog:
          enabled: false
        """;

    private static async Task<RawResponse> SendAsync(EdgeInstance edge, string method, string path, IPAddress? from = null)
    {
        using var client = await RawClient.ConnectAsync(edge.Endpoint, from);
        await client.SendAsync($"{method} {path} HTTP/1.1\r\nHost: shop.example\r\nContent-Length: 0\r\n\r\n");
        var response = await client.ReadResponseAsync();
        Assert.NotNull(response);
        return response;
    }

    [Fact]
    public async Task The_sixth_login_post_from_one_address_gets_429_and_other_routes_and_clients_go_on()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(Config(backend.Address, CopyExample()));

        for (var i = 1; i <= 5; i++) Assert.Equal(200, (await SendAsync(edge, "POST", "/login")).Status);
        Assert.Equal(5, backend.RequestCount);

        var sixth = await SendAsync(edge, "POST", "/login");
        Assert.Equal(429, sixth.Status);
        Assert.Contains("Retry-After: 12", sixth.Head, StringComparison.Ordinal);
        Assert.Contains("too many login attempts", sixth.BodyText, StringComparison.Ordinal);
        Assert.Equal(5, backend.RequestCount);

        // Another route, the login form, and another client address are not affected.
        Assert.Equal(200, (await SendAsync(edge, "POST", "/cart")).Status);
        Assert.Equal(200, (await SendAsync(edge, "GET", "/login")).Status);
        Assert.Equal(200, (await SendAsync(edge, "POST", "/login", OtherClient)).Status);
        Assert.Equal(429, (await SendAsync(edge, "POST", "/login")).Status);
        Assert.Equal(8, backend.RequestCount);

        var metrics = await AdminClient.GetAsync(edge, "/metrics");
        Assert.Contains("edge_waf_rule_matches_total{acl=\"login-rate-limit\",rule=\"login-attempts-per-ip\",action=\"block\"} 2", metrics, StringComparison.Ordinal);
        Assert.Contains("edge_waf_rule_matches_total{acl=\"login-rate-limit\",rule=\"login-attempts-all-clients\",action=\"count\"} 0", metrics, StringComparison.Ordinal);
        Assert.Contains("edge_waf_rate_keys{acl=\"login-rate-limit\",rule=\"login-attempts-per-ip\"} 2", metrics, StringComparison.Ordinal);
        Assert.Contains("edge_waf_rate_keys{acl=\"login-rate-limit\",rule=\"login-attempts-all-clients\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reload_that_leaves_the_rule_unchanged_keeps_the_count_and_one_that_changes_it_starts_afresh()
    {
        await using var backend = await TestBackend.StartAsync();
        var rules = CopyExample();
        await using var edge = await EdgeInstance.StartAsync(Config(backend.Address, rules));
        for (var i = 1; i <= 5; i++) Assert.Equal(200, (await SendAsync(edge, "POST", "/login")).Status);
        Assert.Equal(429, (await SendAsync(edge, "POST", "/login")).Status);

        // A new rule appended to the file; the rate rule is untouched.
        CopyExample("""
              - Name: no-admin
                Priority: 3
                Action: { Block: {} }
                Statement: { ByteMatchStatement: { SearchString: /admin, PositionalConstraint: STARTS_WITH, FieldToMatch: { UriPath: {} } } }

            """);
        await TlsAssertions.MetricEventuallyAsync(edge, "edge_waf_reloads_total{result=\"success\"} 1");
        Assert.Equal(429, (await SendAsync(edge, "POST", "/login")).Status);

        // The limit raised: a new rule, a new count.
        File.WriteAllText(rules + ".tmp", File.ReadAllText(rules).Replace("Limit: 5\n", "Limit: 6\n", StringComparison.Ordinal));
        File.Move(rules + ".tmp", rules, overwrite: true);
        await TlsAssertions.MetricEventuallyAsync(edge, "edge_waf_reloads_total{result=\"success\"} 2");
        for (var i = 1; i <= 6; i++) Assert.Equal(200, (await SendAsync(edge, "POST", "/login")).Status);
        Assert.Equal(429, (await SendAsync(edge, "POST", "/login")).Status);
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EdgeServer.sln"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException($"EdgeServer.sln not found above {AppContext.BaseDirectory}");
    }
}
