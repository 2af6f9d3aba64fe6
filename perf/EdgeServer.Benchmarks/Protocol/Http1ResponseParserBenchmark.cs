using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using EdgeServer.Protocol.Http1;

namespace EdgeServer.Benchmarks.Protocol;

/// <summary>Upstream response-head parsing (framing only), in one or many segments.</summary>
[MemoryDiagnoser]
public class Http1ResponseParserBenchmark
{
    private static readonly byte[] Response = Encoding.ASCII.GetBytes(
        "HTTP/1.1 200 OK\r\n" +
        "Date: Tue, 14 May 2024 10:00:00 GMT\r\n" +
        "Server: nginx\r\n" +
        "Content-Type: application/json; charset=utf-8\r\n" +
        "Content-Length: 1234\r\n" +
        "Connection: keep-alive\r\n" +
        "Cache-Control: private, max-age=0\r\n" +
        "ETag: \"5e15153d-120f\"\r\n" +
        "Vary: Accept-Encoding\r\n" +
        "Set-Cookie: session_id=9f8e7d6c5b4a39281706f5e4d3c2b1a0; Path=/; HttpOnly; Secure; SameSite=Lax\r\n" +
        "Strict-Transport-Security: max-age=63072000\r\n\r\n");

    private static readonly byte[] Chunked = Encoding.ASCII.GetBytes(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\nServer: backend\r\n\r\n");

    private readonly ResponseHead _head = new(HttpParserLimits.Default);
    private ReadOnlySequence<byte> _response, _segmented, _chunked;

    [GlobalSetup]
    public void Setup()
    {
        _response = new ReadOnlySequence<byte>(Response);
        _segmented = BenchmarkSequences.Split(Response, 64);
        _chunked = new ReadOnlySequence<byte>(Chunked);
        if (Parse(_segmented) != Response.Length || Parse(_chunked) != Chunked.Length) throw new InvalidOperationException("benchmark input does not parse");
    }

    [Benchmark(Baseline = true)]
    public long ContentLength10Headers() => Parse(_response);

    [Benchmark]
    public long ContentLength10HeadersMultiSegment() => Parse(_segmented);

    [Benchmark]
    public long Chunked4Headers() => Parse(_chunked);

    private long Parse(in ReadOnlySequence<byte> input)
    {
        Http1ResponseParser.TryParse(input, _head, HttpParserLimits.Default, out var consumed);
        return consumed;
    }
}
