using System.Net.Sockets;
using EdgeServer.EndToEnd.Tests.Infrastructure;
using EdgeServer.EndToEnd.Tests.Tls;

namespace EdgeServer.EndToEnd.Tests.Waf;

/// <summary>Web ACLs through the running proxy: blocks that never reach the backend, dry runs, reloads, geo, connection ACLs, shadows.</summary>
public sealed class WafProxyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edge-waf-e2e-").FullName;
    private static string GeoTestDb => EdgeServer.Geo.Tests.GeoTestData.MaxMindTest("GeoIP2-Country-Test.mmdb");

    private string Write(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path + ".tmp", content);
        File.Move(path + ".tmp", path, overwrite: true);
        return path;
    }

    private static string Acl(string rules, string defaultAction = "Allow") => $$"""
        Name: main
        DefaultAction: { {{defaultAction}}: {} }
        CustomResponseBodies:
          denied: { ContentType: APPLICATION_JSON, Content: '{"denied":true}' }
        Rules:
        {{rules}}
        """;

    private const string BlockAdmin = """
          - Name: no-admin
            Priority: 10
            Action: { Block: { CustomResponse: { ResponseCode: 451, CustomResponseBodyKey: denied, ResponseHeaders: [{ Name: X-Blocked-By, Value: edge-waf }] } } }
            RuleLabels: [{ Name: "policy:admin" }]
            Statement: { ByteMatchStatement: { SearchString: /admin, PositionalConstraint: STARTS_WITH, FieldToMatch: { UriPath: {} }, TextTransformations: [{ Priority: 0, Type: URL_DECODE }, { Priority: 1, Type: LOWERCASE }] } }
        """;

    private static string Config(string backend, string listenerWaf = "", string routeWaf = "", string extra = "") => $$"""
        listeners:
          - name: public
            address: 127.0.0.1:0
        {{listenerWaf}}
        admin:
          address: 127.0.0.1:0
        limits:
          headerTimeout: 2s
        routes:
          - name: app
            match:
              path: /
            cluster: app
        {{routeWaf}}
        clusters:
          - name: app
            destinations: [{{backend}}]
        accessLog:
          enabled: false
        {{extra}}
        """;

    private static async Task<(int Status, string Head, string Body)> GetAsync(EdgeInstance edge, string target, string headers = "")
    {
        using var client = await RawClient.ConnectAsync(edge.Endpoint);
        await client.SendAsync($"GET {target} HTTP/1.1\r\nHost: a\r\n{headers}\r\n");
        var response = await client.ReadResponseAsync();
        Assert.NotNull(response);
        return (response.Status, response.Head, response.BodyText);
    }

    [Fact]
    public async Task A_blocked_request_gets_the_custom_response_and_never_reaches_the_backend()
    {
        await using var backend = await TestBackend.StartAsync();
        var acl = Write("acl.yaml", Acl(BlockAdmin));
        await using var edge = await EdgeInstance.StartAsync(Config(backend.Address, listenerWaf: $"    waf: {{ request: {acl} }}"));

        var blocked = await GetAsync(edge, "/%41dmin/users");
        Assert.Equal(451, blocked.Status);
        Assert.Equal("{\"denied\":true}", blocked.Body);
        Assert.Contains("X-Blocked-By: edge-waf", blocked.Head, StringComparison.Ordinal);
        Assert.Equal(0, backend.Connections);

        Assert.Equal(200, (await GetAsync(edge, "/hello")).Status);
        var metrics = await AdminClient.GetAsync(edge, "/metrics");
        Assert.Contains("edge_waf_rule_matches_total{acl=\"main\",rule=\"no-admin\",action=\"block\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("edge_waf_decisions_total{acl=\"main\",action=\"block\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_count_rule_passes_the_request_and_counts_it()
    {
        await using var backend = await TestBackend.StartAsync();
        var acl = Write("acl.yaml", Acl(BlockAdmin.Replace("Action: { Block: { CustomResponse: { ResponseCode: 451, CustomResponseBodyKey: denied, ResponseHeaders: [{ Name: X-Blocked-By, Value: edge-waf }] } } }", "Action: { Count: {} }", StringComparison.Ordinal)));
        await using var edge = await EdgeInstance.StartAsync(Config(backend.Address, routeWaf: $"    waf: {{ request: {acl} }}"));
        Assert.Equal(200, (await GetAsync(edge, "/admin/x")).Status);
        Assert.Contains("edge_waf_rule_matches_total{acl=\"main\",rule=\"no-admin\",action=\"count\"} 1", await AdminClient.GetAsync(edge, "/metrics"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_changed_rule_file_applies_without_a_restart_and_a_broken_one_is_refused()
    {
        await using var backend = await TestBackend.StartAsync();
        var acl = Write("acl.yaml", Acl(BlockAdmin));
        await using var edge = await EdgeInstance.StartAsync(Config(backend.Address, listenerWaf: $"    waf: {{ request: {acl} }}"));
        Assert.Equal(200, (await GetAsync(edge, "/private")).Status);

        Write("acl.yaml", Acl(BlockAdmin.Replace("/admin", "/private", StringComparison.Ordinal)));
        await TlsAssertions.MetricEventuallyAsync(edge, "edge_waf_reloads_total{result=\"success\"} 1");
        Assert.Equal(451, (await GetAsync(edge, "/private")).Status);
        Assert.Equal(200, (await GetAsync(edge, "/admin")).Status);

        Write("acl.yaml", Acl(BlockAdmin.Replace("STARTS_WITH", "BEGINS_WITH", StringComparison.Ordinal)));
        await TlsAssertions.MetricEventuallyAsync(edge, "edge_waf_reloads_total{result=\"failure\"} 1");
        Assert.Equal(451, (await GetAsync(edge, "/private")).Status);
    }

    [Fact]
    public async Task A_config_reload_with_a_broken_rule_file_is_refused_whole()
    {
        await using var backend = await TestBackend.StartAsync();
        var acl = Write("acl.yaml", Acl(BlockAdmin));
        await using var edge = await EdgeInstance.StartAsync(Config(backend.Address, listenerWaf: $"    waf: {{ request: {acl} }}"));
        var bad = Write("bad.yaml", Acl(BlockAdmin.Replace("Priority: 10", "Priority: ten", StringComparison.Ordinal)));
        var result = await edge.ReloadAsync(Config(backend.Address, listenerWaf: $"    waf: {{ request: {bad} }}"));
        Assert.False(result.Ok);
        Assert.Contains(result.Errors, e => e.Mark.File == bad && e.Message.Contains("whole number", StringComparison.Ordinal));
        Assert.Equal(451, (await GetAsync(edge, "/admin")).Status);
    }

    [Fact]
    public async Task Geo_match_blocks_by_country_from_a_trusted_forwarded_address()
    {
        await using var backend = await TestBackend.StartAsync();
        var acl = Write("geo.yaml", Acl("""
              - Name: no-gb
                Priority: 1
                Action: { Block: {} }
                Statement:
                  GeoMatchStatement:
                    CountryCodes: [GB]
                    ForwardedIPConfig: { HeaderName: X-Forwarded-For, FallbackBehavior: NO_MATCH, TrustedProxies: [127.0.0.0/8] }
            """));
        await using var edge = await EdgeInstance.StartAsync(Config(backend.Address, listenerWaf: $"    waf: {{ request: {acl} }}",
            extra: $"geo:\n  database: {GeoTestDb}\n  countryPath: country.iso_code"));
        Assert.Equal(403, (await GetAsync(edge, "/", "X-Forwarded-For: 81.2.69.160\r\n")).Status);
        Assert.Equal(200, (await GetAsync(edge, "/", "X-Forwarded-For: 2001:218::1\r\n")).Status);
        Assert.Equal(200, (await GetAsync(edge, "/")).Status);
        Assert.Contains("edge_waf_blocks_by_country_total{country=\"GB\"} 1", await AdminClient.GetAsync(edge, "/metrics"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_connection_acl_refuses_at_accept_and_a_reload_that_blocks_closes_open_connections()
    {
        await using var backend = await TestBackend.StartAsync();
        var set = Write("blocked.txt", "# nobody yet\n192.0.2.0/24\n");
        var acl = Write("conn.yaml", Acl($$"""
              - Name: blocked-ips
                Priority: 1
                Action: { Block: {} }
                Statement: { IPSetReferenceStatement: { File: {{set}} } }
            """));
        await using var edge = await EdgeInstance.StartAsync(Config(backend.Address, listenerWaf: $"    waf: {{ connection: {acl} }}"));
        using var open = await RawClient.ConnectAsync(edge.Endpoint);
        await open.SendAsync("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal(200, (await open.ReadResponseAsync())!.Status);

        Write("blocked.txt", "127.0.0.0/8\n");
        Assert.True(await open.IsClosedByServerAsync(TimeSpan.FromSeconds(10)), "the open connection from a newly blocked address should be closed");
        Assert.True(await IsRefusedAsync(edge));
        var metrics = await AdminClient.GetAsync(edge, "/metrics");
        Assert.Contains("edge_waf_connections_closed_total 1", metrics, StringComparison.Ordinal);
        Assert.Contains("edge_waf_connections_refused_total", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_shadow_acl_is_compared_but_never_enforced()
    {
        await using var backend = await TestBackend.StartAsync();
        var active = Write("active.yaml", Acl(BlockAdmin));
        var candidate = Write("candidate.yaml", Acl(BlockAdmin.Replace("/admin", "/report", StringComparison.Ordinal)).Replace("Name: main", "Name: candidate", StringComparison.Ordinal));
        await using var edge = await EdgeInstance.StartAsync(Config(backend.Address, listenerWaf: $"    waf: {{ request: {active}, shadow: {candidate} }}"));
        Assert.Equal(200, (await GetAsync(edge, "/report")).Status);
        Assert.Equal(451, (await GetAsync(edge, "/admin")).Status);
        var metrics = await AdminClient.GetAsync(edge, "/metrics");
        Assert.Contains("edge_waf_shadow_differences_total{acl=\"candidate\",rule=\"no-admin\",change=\"decision\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("edge_waf_shadow_differences_total{acl=\"candidate\",rule=\"no-admin\",change=\"match_added\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("edge_waf_shadow_differences_total{acl=\"candidate\",rule=\"no-admin\",change=\"match_removed\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Body_fields_inspect_the_uploaded_body_before_it_is_forwarded()
    {
        await using var backend = await TestBackend.StartAsync();
        var acl = Write("body.yaml", Acl("""
              - Name: sqli-body
                Priority: 1
                Action: { Block: {} }
                Statement:
                  SqliMatchStatement:
                    FieldToMatch: { Body: { OversizeHandling: MATCH } }
                    TextTransformations: [{ Priority: 0, Type: URL_DECODE }]
            """));
        await using var edge = await EdgeInstance.StartAsync(Config(backend.Address, routeWaf: $"    waf: {{ request: {acl} }}"));
        using var client = await RawClient.ConnectAsync(edge.Endpoint);
        var attack = "user=admin%27%20OR%201%3D1--";
        await client.SendAsync($"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: {attack.Length}\r\n\r\n{attack}");
        Assert.Equal(403, (await client.ReadResponseAsync())!.Status);
        using var ok = await RawClient.ConnectAsync(edge.Endpoint);
        var benign = "user=o%27brien&note=hello";
        await ok.SendAsync($"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: {benign.Length}\r\n\r\n{benign}");
        var echoed = await ok.ReadResponseAsync();
        Assert.Equal(200, echoed!.Status);
        Assert.Equal(benign, echoed.BodyText);
        using var chunked = await RawClient.ConnectAsync(edge.Endpoint);
        await chunked.SendAsync("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
        Assert.Equal(403, (await chunked.ReadResponseAsync())!.Status);
    }

    /// <summary>A refused connection is closed at once; the reset can even beat the client's connect.</summary>
    private static async Task<bool> IsRefusedAsync(EdgeInstance edge)
    {
        try
        {
            using var client = await RawClient.ConnectAsync(edge.Endpoint);
            await client.SendAsync("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            return await client.IsClosedByServerAsync(TimeSpan.FromSeconds(5));
        }
        catch (System.Net.Sockets.SocketException)
        {
            return true;
        }
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
