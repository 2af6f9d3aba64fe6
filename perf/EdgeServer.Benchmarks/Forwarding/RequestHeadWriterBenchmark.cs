using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Net;
using BenchmarkDotNet.Attributes;
using EdgeServer.Config.Model;
using EdgeServer.Connections;
using EdgeServer.Forwarding;
using EdgeServer.Protocol.Http1;
using Microsoft.AspNetCore.Connections;

namespace EdgeServer.Benchmarks.Forwarding;

/// <summary>
/// The head rewrite for the upstream: hop-by-hop marking plus writing the origin-form head with the
/// X-Forwarded-* set straight into a PipeWriter. Must allocate nothing.
/// </summary>
[MemoryDiagnoser]
public class RequestHeadWriterBenchmark
{
    private static readonly byte[] s_browserRequest = Encoding.ASCII.GetBytes(
        "GET /api/v1/orders/12345?expand=items&currency=EUR HTTP/1.1\r\n" +
        "Host: shop.example.com\r\n" +
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36\r\n" +
        "Accept: application/json, text/plain, */*\r\n" +
        "Accept-Language: en-GB,en;q=0.9\r\n" +
        "Accept-Encoding: gzip, deflate, br\r\n" +
        "Connection: keep-alive, X-Debug\r\n" +
        "X-Debug: 1\r\n" +
        "Keep-Alive: timeout=5\r\n" +
        "Cookie: session=abcdef0123456789; theme=dark; consent=yes\r\n" +
        "X-Forwarded-For: 203.0.113.9\r\n" +
        "Referer: https://shop.example.com/cart\r\n\r\n");

    private ClientConnection _trusted = null!;
    private ClientConnection _untrusted = null!;
    private Pipe _upstream = null!;

    [GlobalSetup]
    public void Setup()
    {
        _trusted = Connection(trust: true);
        _untrusted = Connection(trust: false);
        _upstream = new Pipe(new PipeOptions(pauseWriterThreshold: 0, resumeWriterThreshold: 0, useSynchronizationContext: false));
    }

    private static ClientConnection Connection(bool trust)
    {
        var pipe = new Pipe();
        var context = new DefaultConnectionContext("bench", new DuplexPipe(pipe.Reader, pipe.Writer), new DuplexPipe(pipe.Reader, pipe.Writer))
        {
            RemoteEndPoint = new IPEndPoint(IPAddress.Parse("198.51.100.7"), 50123),
        };
        var listener = new ListenerConfig { Name = "bench", Address = new IPEndPoint(IPAddress.Loopback, 0), TrustForwardedHeaders = trust };
        var connection = new ClientConnection(context, listener, HttpParserLimits.Default);
        var sequence = new ReadOnlySequence<byte>(s_browserRequest);
        if (Http1RequestParser.TryParse(sequence, connection.Head, HttpParserLimits.Default, out _) != ParseStatus.Complete)
        {
            throw new InvalidOperationException("benchmark request does not parse");
        }
        connection.AssignRequestId();
        return connection;
    }

    [Benchmark(Baseline = true)]
    public long RewriteUntrusted() => Rewrite(_untrusted);

    [Benchmark]
    public long RewriteTrusted() => Rewrite(_trusted);

    private long Rewrite(ClientConnection connection)
    {
        var head = connection.Head;
        HopByHopHeaders.Mark(head.Buffer, head.MutableFields);
        var written = RequestHeadWriter.Write(_upstream.Writer, connection, connection.Listener.TrustForwardedHeaders);
        _upstream.Writer.FlushAsync().GetAwaiter().GetResult();
        _upstream.Reader.TryRead(out var result);
        _upstream.Reader.AdvanceTo(result.Buffer.End);
        return written;
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;
        public PipeWriter Output { get; } = output;
    }
}
