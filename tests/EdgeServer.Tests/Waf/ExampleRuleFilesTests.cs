using System.Buffers;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using EdgeServer.Config;
using EdgeServer.Config.Model;
using EdgeServer.Geo.Tests;
using EdgeServer.Policy.IpSets;
using EdgeServer.Policy.Waf;
using EdgeServer.Policy.Waf.Evaluation;
using EdgeServer.Protocol.Http1;
using EdgeServer.Tls;
using EdgeServer.Tls.Pki;
using EdgeServer.Waf;
using EdgeServer.Waf.Compiler;

namespace EdgeServer.Tests.Waf;

/// <summary>
/// The shipped examples in config/waf/ and config/examples/waf.yaml: every file compiles as it is in the
/// repository, and the rules do what their comments promise on real requests, certificates and geo data.
/// </summary>
public sealed class ExampleRuleFilesTests
{
    internal static readonly string RepositoryRoot = FindRepositoryRoot();
    private static readonly string RuleDirectory = Path.Combine(RepositoryRoot, "config", "waf");

    public static TheoryData<string> RuleFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(RuleDirectory).Where(IsRuleFile).Order(StringComparer.Ordinal)) data.Add(Path.GetFileName(file));
        return data;
    }

    private static bool IsRuleFile(string path) => Path.GetExtension(path) is ".yaml" or ".yml" or ".json";

    [Theory]
    [MemberData(nameof(RuleFiles))]
    public void Every_example_rule_file_compiles_without_errors_or_warnings(string name)
    {
        var result = Compile(name);
        Assert.True(result.Ok, string.Join("\n", result.Errors));
        Assert.Empty(result.Notices);
        Assert.NotEmpty(result.Acl!.Rules);
    }

    [Fact]
    public void The_examples_cover_what_the_readme_promises()
    {
        var names = Directory.EnumerateFiles(RuleDirectory).Where(IsRuleFile).Select(Path.GetFileName).ToHashSet(StringComparer.Ordinal);
        Assert.Superset(new HashSet<string?>(["baseline.yaml", "geo-block.yaml", "geo-block-next.json", "admin-mtls.yaml", "admin-private.yaml", "connection.yaml", "login-rate-limit.yaml"], StringComparer.Ordinal), names);
        // ACL names label metrics: every example has its own.
        var aclNames = names.Select(n => Compile(n!).Acl!.Name).ToList();
        Assert.Equal(aclNames.Count, aclNames.Distinct(StringComparer.Ordinal).Count());
        Assert.True(Compile("connection.yaml").Acl!.IsConnectionLevel);
        Assert.False(Compile("geo-block.yaml").Acl!.IsConnectionLevel);
    }

    [Fact]
    public void Every_example_ip_set_file_loads()
    {
        var files = Directory.EnumerateFiles(Path.Combine(RuleDirectory, "ipsets"), "*.txt").ToList();
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var result = IpSetFile.Load(file);
            Assert.True(result.Set is not null && result.Errors.Count == 0, $"{file}: {string.Join("; ", result.Errors.Select(e => $"{e.Line}:{e.Column} {e.Message}"))}");
        }
    }

    [Fact]
    public void Baseline_blocks_sqli_and_xss_wherever_they_hide_and_lets_ordinary_requests_through()
    {
        var acl = Compile("baseline.yaml").Acl!;
        const string Browser = "User-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\n";

        var sqli = Evaluate(acl, Get("/search?q=1%27%20OR%20%271%27%3D%271", Browser));
        Assert.Equal(("sqli-query", 403), (sqli.Rule?.Name, sqli.Response?.Status));
        Assert.Contains("request blocked", Encoding.UTF8.GetString(sqli.Response!.Body), StringComparison.Ordinal);
        // HTML entities decoded after URL decoding: &#39; is a quote.
        Assert.Equal("sqli-query", Evaluate(acl, Get("/search?q=1%26%2339%3B%20OR%20%26%2339%3B1%26%2339%3B%3D%26%2339%3B1", Browser)).Rule?.Name);
        Assert.Equal("sqli-cookies", Evaluate(acl, Get("/", Browser + "Cookie: theme=dark; session=x%27%20UNION%20SELECT%20password%20FROM%20users--\r\n")).Rule?.Name);
        Assert.Equal("sqli-body", Evaluate(acl, Post("/login"), body: "user=admin%27%20OR%201%3D1--&password=x").Rule?.Name);
        Assert.Equal("xss-query", Evaluate(acl, Get("/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E", Browser)).Rule?.Name);
        Assert.Equal("xss-body", Evaluate(acl, Post("/comment"), body: "text=&lt;img src=x onerror=alert(1)&gt;").Rule?.Name);
        Assert.Equal("xss-cookies", Evaluate(acl, Get("/", Browser + "Cookie: name=%3Cscript%3Ealert(1)%3C%2Fscript%3E\r\n")).Rule?.Name);

        Assert.Equal(WafActionKind.Allow, Evaluate(acl, Get("/search?q=o%27brien+street&page=2", Browser + "Cookie: session=3q2+7w==; csrf_token=a<b\r\n")).Action);
        Assert.Null(Evaluate(acl, Post("/comment"), body: "text=I+like+%3Cb%3Ebold%3C%2Fb%3E+claims+that+3+%3C+4+and+select+from+the+menu").Rule);
        Assert.Null(Evaluate(acl, Get("/api/orders?select=id,total&order=desc", Browser)).Rule);
    }

    [Fact]
    public void Baseline_size_limits_and_bad_bots()
    {
        var acl = Compile("baseline.yaml").Acl!;
        var longQuery = Evaluate(acl, Get("/?q=" + new string('a', 5000), "User-Agent: x\r\n"));
        Assert.Equal(("size-query", 414), (longQuery.Rule?.Name, longQuery.Response?.Status));
        var bigBody = Evaluate(acl, "POST /upload HTTP/1.1\r\nHost: a\r\nUser-Agent: x\r\nContent-Length: 2000000\r\n\r\n");
        Assert.Equal(("size-body", 413), (bigBody.Rule?.Name, bigBody.Response?.Status));
        Assert.Equal("bad-bots", Evaluate(acl, Get("/", "User-Agent: sqlmap/1.7.2#stable (https://sqlmap.org)\r\n")).Rule?.Name);
        Assert.Equal("bad-bots", Evaluate(acl, Get("/", "User-Agent: Mozilla/5.0 (compatible; Nmap Scripting Engine)\r\n")).Rule?.Name);
        Assert.Null(Evaluate(acl, Get("/", "User-Agent: Mozilla/5.0 nmapper-fan-club\r\n")).Rule);
    }

    [Fact]
    public void Baseline_count_rules_only_label_until_labels_combine_into_a_block()
    {
        var acl = Compile("baseline.yaml").Acl!;
        var probe = acl.Rules.Single(r => r.Name == "probe-paths");
        var noAgent = acl.Rules.Single(r => r.Name == "no-user-agent");
        Assert.Equal(WafActionKind.Count, probe.Action.Kind);

        // A probe from a browser-like client: counted, not blocked.
        Assert.Equal(WafActionKind.Allow, Evaluate(acl, Get("/%2Eenv", "User-Agent: Mozilla/5.0\r\n")).Action);
        Assert.Equal(1, probe.Counters.Matches);
        // A client without a User-Agent: counted, not blocked.
        Assert.Equal(WafActionKind.Allow, Evaluate(acl, Get("/products")).Action);
        Assert.Equal(1, noAgent.Counters.Matches);
        // Both labels: blocked by the rule that combines them.
        var both = Evaluate(acl, Get("/wp-login.php"));
        Assert.Equal("anonymous-probes", both.Rule?.Name);
        Assert.Equal("probe:blocked", both.Rule!.LabelText);
        Assert.Equal((2, 2), (probe.Counters.Matches, noAgent.Counters.Matches));
    }

    [Fact]
    public void Geo_block_uses_the_peer_or_a_trusted_forwarded_address_and_lets_the_office_through()
    {
        var acl = Compile("geo-block.yaml").Acl!;
        using var geo = new GeoCountryResolver();
        geo.Load(new GeoConfig { Database = GeoTestData.MaxMindTest("GeoIP2-Country-Test.mmdb"), CountryPath = "country.iso_code" });
        const string Iran = "2a02:d2c0::1", Britain = "81.2.69.160", Russia = "2a02:d0c0::1";

        var direct = Evaluate(acl, Get("/api/x"), Iran, geo);
        Assert.Equal(("embargo", 451), (direct.Rule?.Name, direct.Response?.Status));
        Assert.Contains(direct.Response!.Headers, h => h.Key == "X-Blocked-By" && h.Value == "geo-block");
        Assert.Equal("IR", CountryCodes.Unpack(direct.Country!.Value));
        Assert.Equal("embargo", Evaluate(acl, Get("/api/x", $"X-Forwarded-For: {Iran}, 10.9.9.9\r\n"), "10.0.0.5", geo).Rule?.Name);
        // The header is believed only from a trusted proxy.
        Assert.Null(Evaluate(acl, Get("/api/x", $"X-Forwarded-For: {Iran}\r\n"), Britain, geo).Rule);
        Assert.Null(Evaluate(acl, Get("/api/x"), Britain, geo).Rule);

        var office = Evaluate(acl, Get("/api/x", "X-Forwarded-For: 203.0.113.9\r\n"), "10.0.0.5", geo);
        Assert.Equal((WafActionKind.Allow, "allow-office"), (office.Action, office.Rule?.Name));
        Assert.Equal("allow-office", Evaluate(acl, Get("/api/x"), "2001:db8:ff1::7", geo).Rule?.Name);

        var watch = acl.Rules.Single(r => r.Name == "watch-countries");
        Assert.Null(Evaluate(acl, Get("/api/x", $"X-Forwarded-For: {Russia}\r\n"), "10.0.0.5", geo).Rule);
        Assert.Equal(1, watch.Counters.Matches);

        // The JSON candidate moves the watch list into the embargo.
        var next = Compile("geo-block-next.json").Acl!;
        Assert.Equal("embargo", Evaluate(next, Get("/api/x", $"X-Forwarded-For: {Russia}\r\n"), "10.0.0.5", geo).Rule?.Name);
        Assert.Null(Evaluate(next, Get("/api/x"), Britain, geo).Rule);
    }

    [Fact]
    public void Connection_acl_refuses_listed_and_embargoed_addresses_before_any_request()
    {
        var acl = Compile("connection.yaml").Acl!;
        using var geo = new GeoCountryResolver();
        geo.Load(new GeoConfig { Database = GeoTestData.MaxMindTest("GeoIP2-Country-Test.mmdb"), CountryPath = "country.iso_code" });
        WafVerdict AtAccept(string ip) => acl.Evaluate(new WafRequest(null, IPAddress.Parse(ip).GetAddressBytes()), geo, DateTimeOffset.UtcNow);

        Assert.Equal("blocklist", AtAccept("192.0.2.50").Rule?.Name);
        Assert.Equal("blocklist", AtAccept("2001:db8:bad::1").Rule?.Name);
        Assert.Equal("incident-2026-04", AtAccept("198.51.100.201").Rule?.Name);
        Assert.Equal("embargo", AtAccept("2a02:d2c0::1").Rule?.Name);
        Assert.Equal(WafActionKind.Allow, AtAccept("81.2.69.160").Action);
        Assert.Equal("allow-internal", AtAccept("10.1.2.3").Rule?.Name);
    }

    [Fact]
    public void Admin_mtls_admits_alice_lets_bob_read_and_refuses_everyone_else()
    {
        var acl = Compile("admin-mtls.yaml").Acl!;
        var pki = Directory.CreateTempSubdirectory("edge-waf-pki-").FullName;
        try
        {
            DevCertificates.Generate(pki, DateTimeOffset.UtcNow);
            ClientIdentity Identity(string name) => new(X509CertificateLoader.LoadCertificateFromFile(Path.Combine(pki, $"client-{name}.crt")), []);
            var alice = Identity("alice");
            var bob = Identity("bob");
            const string Delete = "DELETE /admin/users/7 HTTP/1.1\r\nHost: a\r\n\r\n";

            var audit = acl.Rules.Single(r => r.Name == "audit-writes");
            Assert.Null(Evaluate(acl, Delete, certificate: alice).Rule);
            Assert.Equal(1, audit.Counters.Matches);
            Assert.Null(Evaluate(acl, Get("/admin/users"), certificate: bob).Rule);
            Assert.Equal("bob-read-only", Evaluate(acl, Delete, certificate: bob).Rule?.Name);
            // Issued by the dev CA but not an admin; issued by an intermediate under it (the issuer must be the CA
            // itself); another CA; no certificate at all.
            Assert.Equal("admins-only", Evaluate(acl, Get("/admin/users"), certificate: Identity("revoked")).Rule?.Name);
            Assert.Equal("require-dev-ca", Evaluate(acl, Get("/admin/users"), certificate: Identity("deep")).Rule?.Name);
            Assert.Equal("require-dev-ca", Evaluate(acl, Get("/admin/users"), certificate: Identity("other-ca")).Rule?.Name);
            var none = Evaluate(acl, Get("/admin/users"));
            Assert.Equal(("require-dev-ca", 403), (none.Rule?.Name, none.Response?.Status));
        }
        finally
        {
            Directory.Delete(pki, recursive: true);
        }
    }

    [Fact]
    public void Admin_private_hides_admin_paths_from_outside_the_internal_networks()
    {
        var acl = Compile("admin-private.yaml").Acl!;
        foreach (var path in new[] { "/admin", "/ADMIN/users", "/%61dmin", "/x/../admin/", "/internal/metrics" })
        {
            var verdict = Evaluate(acl, Get(path));
            Assert.True(verdict.Blocked, path);
            Assert.Equal(404, verdict.Response?.Status);
            Assert.False(Evaluate(acl, Get(path), ip: "10.1.2.3").Blocked, path);
        }
        Assert.False(Evaluate(acl, Get("/administrator-guide")).Blocked);
        Assert.False(Evaluate(acl, Get("/home")).Blocked);
    }

    [Fact]
    public void Login_rate_limit_lets_five_login_posts_a_minute_through_per_address_and_answers_the_sixth_with_429()
    {
        var clock = new Upstream.FakeTimeProvider();
        var acl = Compile("login-rate-limit.yaml", clock).Acl!;
        const string Login = "POST /login HTTP/1.1\r\nHost: shop.example\r\nContent-Length: 0\r\n\r\n";
        for (var i = 1; i <= 5; i++) Assert.False(Evaluate(acl, Login).Blocked, $"attempt {i}");
        var sixth = Evaluate(acl, Login);
        Assert.Equal(("login-attempts-per-ip", 429), (sixth.Rule?.Name, sixth.Response?.Status));
        Assert.Contains(sixth.Response!.Headers, h => h.Key == "Retry-After" && h.Value == "12");
        Assert.Contains("too many login attempts", Encoding.UTF8.GetString(sixth.Response.Body), StringComparison.Ordinal);
        // The same path spelled otherwise is the same login endpoint.
        Assert.True(Evaluate(acl, Login.Replace("/login", "/x/../LOGIN", StringComparison.Ordinal)).Blocked);

        // Another client, the login form, and other routes are not affected.
        Assert.False(Evaluate(acl, Login, ip: "203.0.113.201").Blocked);
        Assert.False(Evaluate(acl, Get("/login")).Blocked);
        Assert.False(Evaluate(acl, "POST /cart HTTP/1.1\r\nHost: shop.example\r\nContent-Length: 0\r\n\r\n").Blocked);

        // Retry-After tells the truth: 12 s later one more attempt passes.
        clock.Advance(TimeSpan.FromSeconds(12));
        Assert.False(Evaluate(acl, Login).Blocked);
        Assert.True(Evaluate(acl, Login).Blocked);
        // The surge rule counts every attempt from everyone, far below its 300 a minute: no match yet.
        Assert.Equal(0, acl.Rules.Single(r => r.Name == "login-attempts-all-clients").Counters.Matches);
    }

    [Fact]
    public void Login_rate_limit_counts_a_credential_stuffing_surge_without_blocking_it()
    {
        var acl = Compile("login-rate-limit.yaml", new Upstream.FakeTimeProvider()).Acl!;
        const string Login = "POST /login HTTP/1.1\r\nHost: shop.example\r\nContent-Length: 0\r\n\r\n";
        // 400 addresses, one attempt each: no address is over 5, all of them together are over 300.
        var blocked = 0;
        for (var i = 0; i < 400; i++) blocked += Evaluate(acl, Login, ip: $"198.51.{100 + i / 200}.{i % 200 + 1}").Blocked ? 1 : 0;
        Assert.Equal(0, blocked);
        Assert.Equal(100, acl.Rules.Single(r => r.Name == "login-attempts-all-clients").Counters.Matches);
    }

    [Fact]
    public void The_example_edge_config_validates_with_its_certificates_and_a_geo_database()
    {
        // The example names paths relative to itself (../waf, ../../certs): copy the tree as a checkout has it.
        var root = Directory.CreateTempSubdirectory("edge-waf-example-").FullName;
        try
        {
            CopyDirectory(Path.Combine(RepositoryRoot, "config"), Path.Combine(root, "config"));
            var config = Path.Combine(root, "config", "examples", "waf.yaml");

            // As shipped, on a machine with neither the dev PKI nor a geo database: both are named where the config says.
            var bare = ConfigLoader.LoadFile(config);
            Assert.False(bare.Ok);
            var geoLine = Array.FindIndex(File.ReadAllLines(config), l => l.Contains("database: /var/lib/GeoIP/", StringComparison.Ordinal)) + 1;
            Assert.Contains(bare.Errors, e => e.Mark.Line == geoLine && e.Message.Contains("geo database not found", StringComparison.Ordinal));
            Assert.Contains(bare.Errors, e => e.Message.Contains(Path.Combine(root, "certs", "dev"), StringComparison.Ordinal));
            Assert.DoesNotContain(bare.Errors, e => e.Mark.File.Contains(Path.Combine("config", "waf"), StringComparison.Ordinal));

            DevCertificates.Generate(Path.Combine(root, "certs", "dev"), DateTimeOffset.UtcNow);
            File.WriteAllText(config, File.ReadAllText(config).Replace("/var/lib/GeoIP/GeoLite2-Country.mmdb", GeoTestData.MaxMindTest("GeoIP2-Country-Test.mmdb"), StringComparison.Ordinal));
            var result = ConfigLoader.LoadFile(config);
            Assert.True(result.Ok, string.Join("\n", result.Errors));

            var waf = Path.Combine(root, "config", "waf");
            var listeners = result.Config!.Listeners;
            Assert.All(listeners, l => Assert.Equal((Path.Combine(waf, "connection.yaml"), Path.Combine(waf, "baseline.yaml")), (l.Waf!.Connection, l.Waf.Request)));
            var api = result.Config.Routes.Single(r => r.Name == "api").Waf!;
            Assert.Equal((Path.Combine(waf, "geo-block.yaml"), Path.Combine(waf, "geo-block-next.json")), (api.Request, api.Shadow));
            Assert.Equal(Path.Combine(waf, "admin-mtls.yaml"), result.Config.Routes.Single(r => r.Name == "admin").Waf!.Request);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static WafCompileResult Compile(string name, TimeProvider? clock = null) =>
        WafCompiler.CompileFile(Path.Combine(RuleDirectory, name), new WafCounterRegistry(), DateTimeOffset.UtcNow, clock: clock);

    private static string Get(string target, string headers = "") => $"GET {target} HTTP/1.1\r\nHost: shop.example\r\n{headers}\r\n";

    private static string Post(string target) =>
        $"POST {target} HTTP/1.1\r\nHost: shop.example\r\nUser-Agent: Mozilla/5.0\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n";

    private static WafVerdict Evaluate(WebAcl acl, string request, string ip = "203.0.113.200", ICountryResolver? countries = null,
        IWafClientCertificate? certificate = null, string body = "")
    {
        var limits = HttpParserLimits.Default;
        var head = new RequestHead(limits);
        Assert.Equal(ParseStatus.Complete, Http1RequestParser.TryParse(new ReadOnlySequence<byte>(Encoding.Latin1.GetBytes(request)), head, limits, out _));
        var address = IPAddress.Parse(ip);
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        return acl.Evaluate(new WafRequest(head, address.GetAddressBytes(), certificate, Encoding.Latin1.GetBytes(body)), countries, DateTimeOffset.UtcNow);
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var directory in Directory.EnumerateDirectories(from)) CopyDirectory(directory, Path.Combine(to, Path.GetFileName(directory)));
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
