using System.Buffers;
using System.Net;
using System.Text;
using BenchmarkDotNet.Attributes;
using EdgeServer.Policy.Waf;
using EdgeServer.Policy.Waf.Evaluation;
using EdgeServer.Protocol.Http1;
using EdgeServer.Waf.Compiler;

namespace EdgeServer.Benchmarks.Policy;

/// <summary>
/// A web ACL with rate-based rules, per request: the shipped config/waf/login-rate-limit.yaml (scope-down on method and
/// normalised path, a per-IP and a CONSTANT counter) for a login POST and for a request outside its scope, and one-rule
/// ACLs whose limit is never reached, so every request is counted (a CAS per request), keyed by IP over 1,024 clients,
/// by a forwarded address, and by two custom keys. Must allocate 0 B.
/// </summary>
[MemoryDiagnoser]
public class RateBasedAclBenchmark
{
    private const int Clients = 1024;

    private const string CountedRule = """
        Name: bench
        DefaultAction: { Allow: {} }
        Rules:
          - Name: rate
            Priority: 1
            Action: { Block: {} }
            Statement:
              RateBasedStatement:
                Limit: 2000000000
                EvaluationWindowSec: 3600
                {0}
        """;

    private WebAcl _login = null!;
    private WebAcl _byIp = null!;
    private WebAcl _byForwarded = null!;
    private WebAcl _byCustom = null!;
    private RequestHead _loginPost = null!;
    private RequestHead _browse = null!;
    private RequestHead _api = null!;
    private byte[][] _clients = [];
    private readonly byte[] _proxy = [10, 0, 0, 5];
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var repo = WebAclInputs.FindRepo();
        _login = Compile(Path.Combine(repo, "config/waf/login-rate-limit.yaml"));
        var dir = Directory.CreateTempSubdirectory("edge-bench-rate-").FullName;
        WebAcl Inline(string name, string key)
        {
            var path = Path.Combine(dir, name + ".yaml");
            File.WriteAllText(path, CountedRule.Replace("{0}", key, StringComparison.Ordinal));
            return Compile(path);
        }
        _byIp = Inline("ip", "AggregateKeyType: IP\n        MaxKeys: 4096");
        _byForwarded = Inline("forwarded", "AggregateKeyType: FORWARDED_IP\n        ForwardedIPConfig: { HeaderName: X-Forwarded-For, FallbackBehavior: NO_MATCH, TrustedProxies: [10.0.0.0/8] }");
        _byCustom = Inline("custom", "AggregateKeyType: CUSTOM_KEYS\n        CustomKeys: [{ Header: { Name: X-Api-Key } }, { UriPath: { TextTransformations: [{ Priority: 0, Type: LOWERCASE }] } }]");
        Directory.Delete(dir, recursive: true);

        _loginPost = WebAclInputs.Parse("POST /login HTTP/1.1\r\nHost: shop.example.com\r\nUser-Agent: Mozilla/5.0\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 32\r\n\r\n");
        _browse = WebAclInputs.Parse("GET /products/shoes?color=blue HTTP/1.1\r\nHost: shop.example.com\r\nUser-Agent: Mozilla/5.0\r\nAccept: text/html\r\n\r\n");
        _api = WebAclInputs.Parse("POST /api/v1/Orders HTTP/1.1\r\nHost: api.example.com\r\nX-Api-Key: k-7f3a9c2e\r\nX-Forwarded-For: 198.51.100.23, 10.0.0.1\r\nContent-Length: 0\r\n\r\n");
        _clients = [.. Enumerable.Range(0, Clients).Select(i => new byte[] { 198, 51, (byte)(100 + i / 256), (byte)(i % 256) })];

        // The login client is over its limit from here on: the benchmark measures the steady state of a hammering client.
        for (var i = 0; i < 10; i++) Evaluate(_login, _loginPost, _clients[0]);
        if (!Evaluate(_login, _loginPost, _clients[0]).Blocked || Evaluate(_login, _browse, _clients[0]).Blocked)
            throw new InvalidOperationException("the login ACL must block the hammering client and pass the browser");
        if (Evaluate(_byIp, _browse, _clients[1]).Blocked || Evaluate(_byForwarded, _api, _proxy).Blocked || Evaluate(_byCustom, _api, _proxy).Blocked)
            throw new InvalidOperationException("the counted rules must never reach their limit");
    }

    [Benchmark(Baseline = true, Description = "login-rate-limit.yaml: GET outside the scope-down (nothing counted)")]
    public WafActionKind OutsideScope() => Evaluate(_login, _browse, _clients[0]).Action;

    [Benchmark(Description = "login-rate-limit.yaml: login POST over the limit (2 rules counted, blocked with 429)")]
    public WafActionKind LoginOverLimit() => Evaluate(_login, _loginPost, _clients[0]).Action;

    [Benchmark(Description = "IP key, 1,024 clients round robin, counted (CAS) and allowed")]
    public WafActionKind ByIp() => Evaluate(_byIp, _browse, _clients[_next++ & (Clients - 1)]).Action;

    [Benchmark(Description = "FORWARDED_IP from a trusted proxy, counted and allowed")]
    public WafActionKind ByForwardedIp() => Evaluate(_byForwarded, _api, _proxy).Action;

    [Benchmark(Description = "CUSTOM_KEYS header + lowercased path, counted and allowed")]
    public WafActionKind ByCustomKeys() => Evaluate(_byCustom, _api, _proxy).Action;

    private static WafVerdict Evaluate(WebAcl acl, RequestHead head, byte[] client) =>
        acl.Evaluate(new WafRequest(head, client), null, DateTimeOffset.UnixEpoch);

    private static WebAcl Compile(string path)
    {
        var result = WafCompiler.CompileFile(path, new WafCounterRegistry(), DateTimeOffset.UtcNow);
        return result.Ok ? result.Acl! : throw new InvalidOperationException(string.Join("\n", result.Errors));
    }
}
