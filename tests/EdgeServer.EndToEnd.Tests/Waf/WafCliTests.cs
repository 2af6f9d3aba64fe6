using System.Diagnostics;
using System.Text.RegularExpressions;
using EdgeServer.Geo.Tests;

namespace EdgeServer.EndToEnd.Tests.Waf;

/// <summary>
/// `edge waf validate|test|explain` run as a security team runs them: the real executable, the shipped
/// example rule files, raw request files, the dev PKI's certificates and MaxMind's test geo database.
/// </summary>
public sealed class WafCliTests : IDisposable
{
    private static string EdgeDll => Path.Combine(AppContext.BaseDirectory, "edge.dll");
    private static readonly string Examples = Path.Combine(FindRepositoryRoot(), "config", "waf");
    private static string GeoDb => GeoTestData.MaxMindTest("GeoIP2-Country-Test.mmdb");

    private readonly string _dir = Directory.CreateTempSubdirectory("edge-waf-cli-").FullName;

    private const string Head = """
        Name: cli
        DefaultAction: { Allow: {} }
        Rules:

        """;

    private string Write(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static string Example(string name) => Path.Combine(Examples, name);

    private static Task<(int Exit, string Out, string Err)> RunAsync(params string[] args) => RunEdgeAsync(["waf", .. args]);

    private static async Task<(int Exit, string Out, string Err)> RunEdgeAsync(string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(EdgeDll);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Fact]
    public async Task Validate_accepts_every_shipped_example_and_exits_0()
    {
        var files = Directory.EnumerateFiles(Examples).Where(f => Path.GetExtension(f) is ".yaml" or ".json").Order(StringComparer.Ordinal).ToArray();
        Assert.True(files.Length >= 5);
        var (exit, stdout, stderr) = await RunAsync(["validate", .. files]);
        Assert.True(exit == 0, stderr);
        Assert.Equal("", stderr);
        var lines = Lines(stdout);
        Assert.Equal(files.Length, lines.Length);
        Assert.Contains($"{Example("baseline.yaml")}: ok (14 rules, default allow)", lines);
        Assert.Contains($"{Example("geo-block-next.json")}: ok (2 rules, default allow)", lines);
    }

    [Fact]
    public async Task Validate_reports_every_error_with_file_line_and_column_and_exits_1()
    {
        var bad = Write("bad.yaml", Head + """
              - Name: typo
                Priorty: 1
                Action: { Block: {} }
                Statement: { ByteMatchStatement: { SearchString: x, FieldToMatch: { UriPath: {} }, PositionalConstraint: CONTAINS } }
              - Name: geo
                Priority: 2
                Action: { Block: {} }
                Statement: { GeoMatchStatement: { CountryCodes: [FR, UK] } }
              - Name: transform
                Priority: 3
                Action: { Block: {} }
                Statement: { SqliMatchStatement: { FieldToMatch: { QueryString: {} }, TextTransformations: [{ Priority: 0, Type: URL_DECODED }] } }
            """);
        var (exit, stdout, stderr) = await RunAsync("validate", Example("baseline.yaml"), bad);
        Assert.Equal(1, exit);
        // The good file is still reported as good; the bad one only on stderr.
        Assert.Equal($"{Example("baseline.yaml")}: ok (14 rules, default allow)", stdout.Trim());
        var lines = Lines(stderr);
        Assert.True(lines.Length >= 3, stderr);
        Assert.All(lines, l => Assert.Matches($"^{Regex.Escape(bad)}:\\d+:\\d+: ", l));
        Assert.Contains(lines, l => l.StartsWith($"{bad}:5:5: ", StringComparison.Ordinal) && l.Contains("unknown key 'Priorty'", StringComparison.Ordinal) && l.Contains("did you mean 'Priority'", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith($"{bad}:11:58: ", StringComparison.Ordinal) && l.Contains("unknown country code 'UK'", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith($"{bad}:15:", StringComparison.Ordinal) && l.Contains("unknown text transformation 'URL_DECODED'", StringComparison.Ordinal) && l.Contains("did you mean 'URL_DECODE'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Validate_reports_a_bad_ip_set_line_in_the_ip_set_file_and_a_missing_file()
    {
        var set = Write("set.txt", "10.0.0.0/8\n# ok so far\n300.1.1.1\n");
        var rules = Write("ipset.yaml", Head + $$"""
              - Name: ips
                Priority: 1
                Action: { Block: {} }
                Statement: { IPSetReferenceStatement: { File: set.txt } }
            """);
        var (exit, _, stderr) = await RunAsync("validate", rules);
        Assert.Equal(1, exit);
        Assert.StartsWith($"{set}:3:1: ", stderr, StringComparison.Ordinal);

        var missing = Path.Combine(_dir, "nope.yaml");
        (exit, _, stderr) = await RunAsync("validate", missing);
        Assert.Equal(1, exit);
        Assert.Equal($"{missing}:1:1: rule file not found", stderr.Trim());
    }

    [Fact]
    public async Task Validate_warns_about_an_expired_rule_but_accepts_the_file()
    {
        var rules = Write("expired.yaml", Head + """
              - Name: old
                Priority: 1
                Action: { Block: {} }
                Metadata: { Owner: alice@example.com, Ticket: SEC-1, ExpiresAt: "2020-01-01T00:00:00Z" }
                Statement: { ByteMatchStatement: { SearchString: /old, PositionalConstraint: STARTS_WITH, FieldToMatch: { UriPath: {} } } }
            """);
        var (exit, stdout, stderr) = await RunAsync("validate", rules);
        Assert.True(exit == 0, stderr);
        Assert.Contains(": ok (1 rules", stdout, StringComparison.Ordinal);
        Assert.Matches($"^warning: {Regex.Escape(rules)}:4:5: rule 'old' expired at 2020-01-01T00:00:00.0000000\\+00:00 and does not apply \\(owner alice@example.com, ticket SEC-1\\)", stderr.Trim());
    }

    [Fact]
    public async Task Test_names_the_matching_rule_its_labels_and_the_final_action()
    {
        var sqli = Write("sqli.txt", "GET /search?q=1%27%20OR%20%271%27%3D%271 HTTP/1.1\nHost: shop.example\nUser-Agent: Mozilla/5.0\n\n");
        var (exit, stdout, stderr) = await RunAsync("test", Example("baseline.yaml"), "--request", sqli);
        Assert.True(exit == 0, stderr);
        var lines = Lines(stdout);
        Assert.Equal("request: GET /search?q=1%27%20OR%20%271%27%3D%271 from 203.0.113.10", lines[0]);
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^20\s+bad-bots\s+no match$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^30\s+sqli-query\s+MATCH -> block labels \[attack:sqli\]$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^31\s+sqli-body\s+not evaluated \(an earlier rule decided\)$"));
        Assert.Equal("final action: BLOCK by rule sqli-query -> 403", lines[^1]);

        var benign = Write("benign.txt", "GET /search?q=o%27brien+street HTTP/1.1\nHost: shop.example\nUser-Agent: Mozilla/5.0\nCookie: session=abc\n\n");
        (exit, stdout, _) = await RunAsync("test", Example("baseline.yaml"), "-r", benign);
        Assert.Equal(0, exit);
        Assert.DoesNotContain("MATCH", stdout, StringComparison.Ordinal);
        Assert.Equal("final action: ALLOW (default action)", Lines(stdout)[^1]);
    }

    [Fact]
    public async Task Test_shows_count_rules_labelling_and_a_body_read_from_the_request_file()
    {
        var probe = Write("probe.txt", "GET /.env HTTP/1.1\nHost: shop.example\n\n");
        var (exit, stdout, stderr) = await RunAsync("test", Example("baseline.yaml"), "-r", probe);
        Assert.True(exit == 0, stderr);
        var lines = Lines(stdout);
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^50\s+no-user-agent\s+MATCH -> count labels \[client:no-user-agent\]$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^51\s+probe-paths\s+MATCH -> count labels \[probe:path\]$"));
        Assert.Equal("final action: BLOCK by rule anonymous-probes -> 403", lines[^1]);

        var body = "user=admin%27%20OR%201%3D1--&password=x";
        var post = Write("post.txt", $"POST /login HTTP/1.1\nHost: shop.example\nUser-Agent: Mozilla/5.0\nContent-Length: {body.Length}\n\n{body}");
        (exit, stdout, stderr) = await RunAsync("test", Example("baseline.yaml"), "-r", post);
        Assert.True(exit == 0, stderr);
        Assert.Equal("final action: BLOCK by rule sqli-body -> 403", Lines(stdout)[^1]);
    }

    [Fact]
    public async Task Test_repeats_a_request_so_rate_based_rules_can_be_tried_and_explain_describes_them()
    {
        var login = Write("login.txt", "POST /login HTTP/1.1\nHost: shop.example\nContent-Length: 0\n\n");
        var (exit, stdout, stderr) = await RunAsync("test", Example("login-rate-limit.yaml"), "-r", login, "--repeat", "6");
        Assert.True(exit == 0, stderr);
        var lines = Lines(stdout);
        Assert.Equal("sent 6 times: blocked from copy 6 on; the last copy:", lines[1]);
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^1\s+login-attempts-all-clients\s+no match$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^2\s+login-attempts-per-ip\s+MATCH -> block labels \[login:throttled\]$"));
        Assert.Equal("final action: BLOCK by rule login-attempts-per-ip -> 429", lines[^1]);

        (exit, stdout, _) = await RunAsync("test", Example("login-rate-limit.yaml"), "-r", login, "--repeat", "5");
        Assert.Equal(0, exit);
        Assert.Equal("sent 5 times: none blocked; the last copy:", Lines(stdout)[1]);
        Assert.Equal("final action: ALLOW (default action)", Lines(stdout)[^1]);

        (exit, _, stderr) = await RunAsync("test", Example("login-rate-limit.yaml"), "-r", login, "--repeat", "0");
        Assert.Equal(1, exit);
        Assert.Contains("--repeat must be between 1 and", stderr, StringComparison.Ordinal);

        (exit, stdout, stderr) = await RunAsync("explain", Example("login-rate-limit.yaml"));
        Assert.True(exit == 0, stderr);
        Assert.Contains("RateBased over 5 per 60s by IP (burst 5, up to 10000 keys) where AND(", stdout, StringComparison.Ordinal);
        Assert.Contains("RateBased over 300 per 60s by CONSTANT", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Test_with_a_client_certificate_and_a_geo_database()
    {
        var pki = Path.Combine(_dir, "dev");
        var certs = await RunEdgeAsync(["certs", "dev", "--out", pki]);
        Assert.True(certs.Exit == 0, certs.Err);
        var delete = Write("delete.txt", "DELETE /admin/users/7 HTTP/1.1\nHost: admin.example\n\n");

        var (exit, stdout, stderr) = await RunAsync("test", Example("admin-mtls.yaml"), "-r", delete, "--cert", Path.Combine(pki, "client-bob.crt"));
        Assert.True(exit == 0, stderr);
        Assert.Contains("with certificate 'CN=bob, O=EdgeServer Dev'", Lines(stdout)[0], StringComparison.Ordinal);
        Assert.Contains(Lines(stdout), l => Regex.IsMatch(l, @"^20\s+bob-read-only\s+MATCH -> block labels \[mtls:read-only\]$"));
        Assert.Equal("final action: BLOCK by rule bob-read-only -> 403", Lines(stdout)[^1]);

        (exit, stdout, _) = await RunAsync("test", Example("admin-mtls.yaml"), "-r", delete, "--cert", Path.Combine(pki, "client-alice.crt"));
        Assert.Equal(0, exit);
        Assert.Contains(Lines(stdout), l => Regex.IsMatch(l, @"^30\s+audit-writes\s+MATCH -> count labels \[audit:write\]$"));
        Assert.Equal("final action: ALLOW (default action)", Lines(stdout)[^1]);

        var forwarded = Write("forwarded.txt", "GET /api/orders HTTP/1.1\nHost: api.example\nX-Forwarded-For: 2a02:d2c0::1, 10.0.0.9\n\n");
        (exit, stdout, stderr) = await RunAsync("test", Example("geo-block.yaml"), "-r", forwarded, "--ip", "10.0.0.5", "--geo", GeoDb);
        Assert.True(exit == 0, stderr);
        AssertEnds(stdout, "country: IR", "final action: BLOCK by rule embargo -> 451");
        // The same header from an untrusted peer is ignored: that peer's own country decides.
        (exit, stdout, _) = await RunAsync("test", Example("geo-block.yaml"), "-r", forwarded, "--ip", "81.2.69.160", "--geo", GeoDb);
        Assert.Equal(0, exit);
        AssertEnds(stdout, "country: GB", "final action: ALLOW (default action)");

        static void AssertEnds(string stdout, string country, string final)
        {
            var all = Lines(stdout);
            Assert.Equal(country, all[^2]);
            Assert.Equal(final, all[^1]);
        }
    }

    [Fact]
    public async Task Test_exits_1_on_a_broken_rule_file_a_bad_request_file_or_a_bad_address()
    {
        var request = Write("ok.txt", "GET / HTTP/1.1\nHost: a\n\n");
        var broken = Write("broken.yaml", Head + """
              - Name: p
                Priority: ten
                Action: { Block: {} }
                Statement: { ByteMatchStatement: { SearchString: x, FieldToMatch: { UriPath: {} }, PositionalConstraint: CONTAINS } }
            """);
        var (exit, stdout, stderr) = await RunAsync("test", broken, "-r", request);
        Assert.Equal(1, exit);
        Assert.Equal("", stdout);
        Assert.StartsWith($"{broken}:5:15: ", stderr, StringComparison.Ordinal);

        var garbage = Write("garbage.txt", "this is not HTTP\n\n");
        (exit, _, stderr) = await RunAsync("test", Example("baseline.yaml"), "-r", garbage);
        Assert.Equal(1, exit);
        Assert.Contains($"{garbage} is not a complete HTTP/1.1 request head", stderr, StringComparison.Ordinal);

        (exit, _, stderr) = await RunAsync("test", Example("baseline.yaml"), "-r", request, "--ip", "not-an-ip");
        Assert.Equal(1, exit);
        Assert.Contains("--ip 'not-an-ip' is not an IP address", stderr, StringComparison.Ordinal);

        (exit, _, _) = await RunAsync("test", Example("baseline.yaml"));
        Assert.NotEqual(0, exit);   // --request is required
    }

    [Fact]
    public async Task Explain_lists_rules_in_priority_order_with_cost_labels_and_metadata()
    {
        var rules = Write("order.yaml", Head + """
              - Name: last
                Priority: 300
                Action: { Count: {} }
                RuleLabels: [{ Name: "team:late" }]
                Statement: { ByteMatchStatement: { SearchString: z, FieldToMatch: { UriPath: {} }, PositionalConstraint: CONTAINS } }
              - Name: first
                Priority: 1
                Action: { Block: {} }
                Metadata: { Owner: sec@example.com, Ticket: SEC-9, ExpiresAt: "2020-06-01T00:00:00Z" }
                Statement: { IPSetReferenceStatement: { Addresses: [192.0.2.0/24] } }
              - Name: middle
                Priority: 20
                Action: { Allow: {} }
                Statement: { SqliMatchStatement: { FieldToMatch: { Body: {} } } }
            """);
        var (exit, stdout, stderr) = await RunAsync("explain", rules);
        Assert.True(exit == 0, stderr);
        Assert.Contains("rule 'first' expired", stderr, StringComparison.Ordinal);
        var lines = Lines(stdout);
        Assert.Equal($"web ACL cli ({rules})", lines[0]);
        Assert.StartsWith("default action: allow; body inspection: first 8192 bytes; request-level", lines[1], StringComparison.Ordinal);
        var ruleLines = lines.Where(l => Regex.IsMatch(l, @"^\d+\s+\S+\s+->")).ToList();
        Assert.Equal(["first", "middle", "last"], ruleLines.Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]));
        Assert.Matches(@"^1\s+first\s+-> block\s+cost \d+\s+owner sec@example.com\s+ticket SEC-9\s+expires 2020-06-01T00:00:00.0000000\+00:00 \(EXPIRED\)$", ruleLines[0]);
        Assert.Matches(@"^300\s+last\s+-> count\s+cost \d+\s+labels \[team:late\]$", ruleLines[2]);
        Assert.StartsWith("total cost (every rule evaluated): ", lines[^1], StringComparison.Ordinal);

        (exit, stdout, _) = await RunAsync("explain", Example("connection.yaml"));
        Assert.Equal(0, exit);
        Assert.Contains("usable as a connection ACL (IP and geo only)", stdout, StringComparison.Ordinal);
        var priorities = Lines(stdout).Select(l => Regex.Match(l, @"^(\d+)\s+\S+\s+->")).Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal([1, 10, 11, 20], priorities);

        var broken = Write("broken.yaml", "Name: x\nDefaultAction: { Deny: {} }\n");
        (exit, stdout, stderr) = await RunAsync("explain", broken);
        Assert.Equal(1, exit);
        Assert.Equal("", stdout);
        Assert.StartsWith($"{broken}:2:", stderr, StringComparison.Ordinal);
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EdgeServer.sln"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException($"EdgeServer.sln not found above {AppContext.BaseDirectory}");
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
