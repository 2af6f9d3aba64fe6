using System.Buffers;
using System.Net;
using System.Text;
using EdgeServer.Config.Model;
using EdgeServer.Policy.Waf;
using EdgeServer.Protocol.Http1;
using EdgeServer.Waf;
using EdgeServer.Waf.Compiler;

namespace EdgeServer.Benchmarks.Policy;

/// <summary>
/// The 50-rule ACL of perf/waf/realistic-50.yaml, the real country database, and the three requests both
/// <see cref="WebAclBenchmark"/> and <see cref="WafRuleCostLoop"/> evaluate against it.
/// </summary>
internal sealed class WebAclInputs : IDisposable
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

    private const string WrkGet = "GET /plain HTTP/1.1\r\nHost: 127.0.0.1:18084\r\n\r\n";

    public WebAclInputs()
    {
        var repo = FindRepo();
        var result = WafCompiler.CompileFile(Path.Combine(repo, "perf/waf/realistic-50.yaml"), new WafCounterRegistry(), DateTimeOffset.UtcNow);
        if (!result.Ok) throw new InvalidOperationException(string.Join("\n", result.Errors));
        Acl = result.Acl!;
        Geo = new GeoCountryResolver();
        Geo.Load(new GeoConfig { Database = Path.Combine(repo, "../shared/geo/country/geo-whois-asn-country.mmdb"), CountryPath = "country_code" });
        Get = Parse(BrowserGet);
        Post = Parse(ApiPostHead);
        Wrk = Parse(WrkGet);
        var json = new StringBuilder("{\"customer\":\"c-1029\",\"currency\":\"GBP\",\"items\":[");
        for (var i = 0; json.Length < 960; i++) json.Append($"{{\"sku\":\"sku-{i:D4}\",\"qty\":{i % 3 + 1},\"note\":\"gift wrap, no card\"}},");
        json.Length--;
        json.Append("],\"pad\":\"").Append('x', 1024 - json.Length - 11).Append("\"}");
        PostBody = Encoding.ASCII.GetBytes(json.ToString());
    }

    public WebAcl Acl { get; }
    public GeoCountryResolver Geo { get; }
    /// <summary>A browser's GET: 9 headers, cookies, a query.</summary>
    public RequestHead Get { get; }
    /// <summary>An API POST whose 1 KiB JSON body is <see cref="PostBody"/>.</summary>
    public RequestHead Post { get; }
    public byte[] PostBody { get; }
    /// <summary>wrk's GET /plain (Host only), what perf/compare.sh sends.</summary>
    public RequestHead Wrk { get; }
    /// <summary>A public address the country database knows (GB).</summary>
    public byte[] Client { get; } = IPAddress.Parse("81.2.69.160").GetAddressBytes();

    public void Dispose() => Geo.Dispose();

    internal static RequestHead Parse(string text)
    {
        var limits = HttpParserLimits.Default;
        var head = new RequestHead(limits);
        if (Http1RequestParser.TryParse(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(text)), head, limits, out _) != ParseStatus.Complete)
            throw new InvalidOperationException("benchmark request does not parse");
        return head;
    }

    internal static string FindRepo()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EdgeServer.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("run from inside the repository");
    }
}
