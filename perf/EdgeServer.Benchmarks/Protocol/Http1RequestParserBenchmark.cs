using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using EdgeServer.Protocol.Http1;

namespace EdgeServer.Benchmarks.Protocol;

/// <summary>Request-head parsing: a plain API GET and a browser request with cookies, in one or many segments.</summary>
[MemoryDiagnoser]
public class Http1RequestParserBenchmark
{
    private static readonly byte[] Typical = Encoding.ASCII.GetBytes(
        "GET /api/v1/orders/12345?include=items&expand=customer HTTP/1.1\r\n" +
        "Host: api.example.com\r\n" +
        "User-Agent: curl/8.5.0\r\n" +
        "Accept: application/json\r\n" +
        "Accept-Encoding: gzip, deflate, br\r\n" +
        "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abc\r\n" +
        "X-Request-Id: 7f2b9c1e-4d3a-4b8e-9f00-1a2b3c4d5e6f\r\n" +
        "X-Forwarded-For: 203.0.113.7\r\n" +
        "Connection: keep-alive\r\n" +
        "Cache-Control: no-cache\r\n" +
        "Content-Type: application/json\r\n\r\n");

    private static readonly byte[] Browser = Encoding.ASCII.GetBytes(
        "GET /products/shoes/running?color=blue&size=42&sort=price_asc&page=2 HTTP/1.1\r\n" +
        "Host: www.example-shop.com\r\n" +
        "Connection: keep-alive\r\n" +
        "sec-ch-ua: \"Chromium\";v=\"124\", \"Google Chrome\";v=\"124\", \"Not-A.Brand\";v=\"99\"\r\n" +
        "sec-ch-ua-mobile: ?0\r\n" +
        "sec-ch-ua-platform: \"Windows\"\r\n" +
        "Upgrade-Insecure-Requests: 1\r\n" +
        "User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36\r\n" +
        "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7\r\n" +
        "Sec-Fetch-Site: same-origin\r\n" +
        "Sec-Fetch-Mode: navigate\r\n" +
        "Sec-Fetch-User: ?1\r\n" +
        "Sec-Fetch-Dest: document\r\n" +
        "Referer: https://www.example-shop.com/products/shoes?color=blue\r\n" +
        "Accept-Encoding: gzip, deflate, br, zstd\r\n" +
        "Accept-Language: en-GB,en-US;q=0.9,en;q=0.8,fr;q=0.7\r\n" +
        "Cookie: session_id=9f8e7d6c5b4a39281706f5e4d3c2b1a0; cart=eyJpdGVtcyI6WzEyLDM0LDU2XX0%3D; _ga=GA1.2.1234567890.1700000000; _gid=GA1.2.987654321.1700000000; consent=analytics%3Dtrue%26ads%3Dfalse; theme=dark; locale=en-GB; ab_test=variant_b\r\n" +
        "If-None-Match: W/\"5e15153d-120f\"\r\n" +
        "If-Modified-Since: Wed, 21 Oct 2015 07:28:00 GMT\r\n" +
        "Priority: u=0, i\r\n" +
        "X-Forwarded-Proto: https\r\n\r\n");

    private readonly RequestHead _head = new(HttpParserLimits.Default);
    private ReadOnlySequence<byte> _typical, _browser, _typicalSegmented, _browserSegmented;

    [GlobalSetup]
    public void Setup()
    {
        _typical = new ReadOnlySequence<byte>(Typical);
        _browser = new ReadOnlySequence<byte>(Browser);
        // 64-byte segments: far smaller than a socket read, so every line straddles a boundary.
        _typicalSegmented = BenchmarkSequences.Split(Typical, 64);
        _browserSegmented = BenchmarkSequences.Split(Browser, 64);
        if (Parse(_typical) != Typical.Length || Parse(_browserSegmented) != Browser.Length) throw new InvalidOperationException("benchmark input does not parse");
    }

    [Benchmark(Baseline = true)]
    public long Typical10Headers() => Parse(_typical);

    [Benchmark]
    public long Typical10HeadersMultiSegment() => Parse(_typicalSegmented);

    [Benchmark]
    public long Browser20HeadersCookies() => Parse(_browser);

    [Benchmark]
    public long Browser20HeadersCookiesMultiSegment() => Parse(_browserSegmented);

    private long Parse(in ReadOnlySequence<byte> input)
    {
        Http1RequestParser.TryParse(input, _head, HttpParserLimits.Default, out var consumed);
        return consumed;
    }
}
