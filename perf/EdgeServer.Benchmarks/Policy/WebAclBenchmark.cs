using System.Buffers;
using System.Net;
using System.Text;
using BenchmarkDotNet.Attributes;
using EdgeServer.Config.Model;
using EdgeServer.Policy.Waf;
using EdgeServer.Policy.Waf.Evaluation;
using EdgeServer.Protocol.Http1;
using EdgeServer.Waf;
using EdgeServer.Waf.Compiler;

namespace EdgeServer.Benchmarks.Policy;

/// <summary>
/// The whole WAF decision for one request against perf/waf/realistic-50.yaml, a 50-rule ACL in the shape of a
/// managed core rule set (IP reputation set of 5,500 prefixes, geo embargo on the real 1.3M-node country
/// database, size limits, bad bots, sensitive paths, traversal, log4j/shellshock/RCE regexes, SQLi and XSS on
/// query, body, cookies and path). Ordinary requests match nothing, so every rule runs: the worst case for
/// cost, and the common case in production. Must allocate 0 B.
/// </summary>
[MemoryDiagnoser]
public class WebAclBenchmark
{
    private const string BrowserGet =
        "GET /products/shoes/running?color=blue&size=42&sort=price_asc&page=2 HTTP/1.1\r\n" +
        "Host: shop.example.com\r\n" +
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36\r\n" +
        "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n" +
        "Accept-Language: en-GB,en;q=0.9\r\n" +
        "Accept-Encoding: gzip, deflate, br\r\n" +
        "Referer: https://shop.example.com/products/shoes?color=blue\r\n" +
        "Cookie: session=3f9a0c1e7b2d4a6f8e1c; cart=sku-1234%3A2%2Csku-987%3A1; consent=analytics%3Dno\r\n" +
        "Connection: keep-alive\r\n\r\n";

    private const string ApiPostHead =
        "POST /api/v1/orders HTTP/1.1\r\n" +
        "Host: api.example.com\r\n" +
        "User-Agent: shop-app/4.2 (Android 14)\r\n" +
        "Content-Type: application/json\r\n" +
        "Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl\r\n" +
        "Content-Length: 1024\r\n\r\n";

    private const string WrkGet = "GET / HTTP/1.1\r\nHost: 127.0.0.1:18084\r\n\r\n";

    private WebAcl _acl = null!;
    private GeoCountryResolver _geo = null!;
    private RequestHead _get = null!;
    private RequestHead _post = null!;
    private RequestHead _wrk = null!;
    private byte[] _body = [];
    private readonly byte[] _client = IPAddress.Parse("81.2.69.160").GetAddressBytes();

    [GlobalSetup]
    public void Setup()
    {
        var repo = FindRepo();
        var result = WafCompiler.CompileFile(Path.Combine(repo, "perf/waf/realistic-50.yaml"), new WafCounterRegistry(), DateTimeOffset.UtcNow);
        if (!result.Ok) throw new InvalidOperationException(string.Join("\n", result.Errors));
        _acl = result.Acl!;
        _geo = new GeoCountryResolver();
        _geo.Load(new GeoConfig { Database = Path.Combine(repo, "../shared/geo/country/geo-whois-asn-country.mmdb"), CountryPath = "country_code" });
        _get = Parse(BrowserGet);
        _post = Parse(ApiPostHead);
        _wrk = Parse(WrkGet);
        var json = new StringBuilder("{\"customer\":\"c-1029\",\"currency\":\"GBP\",\"items\":[");
        for (var i = 0; json.Length < 960; i++) json.Append($"{{\"sku\":\"sku-{i:D4}\",\"qty\":{i % 3 + 1},\"note\":\"gift wrap, no card\"}},");
        json.Length--;
        json.Append("],\"pad\":\"").Append('x', 1024 - json.Length - 11).Append("\"}");
        _body = Encoding.ASCII.GetBytes(json.ToString());

        if (Evaluate(_get).Action != WafActionKind.Allow || Evaluate(_post).Action != WafActionKind.Allow || Evaluate(_wrk).Action != WafActionKind.Allow)
            throw new InvalidOperationException("the benchmark requests must pass every rule (so that every rule runs)");
    }

    [GlobalCleanup]
    public void Cleanup() => _geo.Dispose();

    [Benchmark(Baseline = true, Description = "browser GET, 9 headers, cookies, query: 50 rules")]
    public WafActionKind Get() => Evaluate(_get).Action;

    [Benchmark(Description = "API POST with a 1 KiB JSON body: 50 rules")]
    public WafActionKind Post() => _acl.Evaluate(new WafRequest(_post, _client, null, _body), _geo, DateTimeOffset.UtcNow).Action;

    [Benchmark(Description = "wrk's GET / (Host only, as perf/compare.sh sends): 50 rules")]
    public WafActionKind Wrk() => Evaluate(_wrk).Action;

    private WafVerdict Evaluate(RequestHead head) => _acl.Evaluate(new WafRequest(head, _client, null, head == _post ? _body : default), _geo, DateTimeOffset.UtcNow);

    private static RequestHead Parse(string text)
    {
        var limits = HttpParserLimits.Default;
        var head = new RequestHead(limits);
        if (Http1RequestParser.TryParse(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(text)), head, limits, out _) != ParseStatus.Complete)
            throw new InvalidOperationException("benchmark request does not parse");
        return head;
    }

    private static string FindRepo()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EdgeServer.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("run from inside the repository");
    }
}
