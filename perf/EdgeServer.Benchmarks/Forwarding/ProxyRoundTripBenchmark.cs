using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using EdgeServer.Config;
using EdgeServer.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeServer.Benchmarks.Forwarding;

/// <summary>
/// One request end to end through the real daemon (Kestrel transport, connection loop, router,
/// forwarder, upstream pool) to a loopback origin, over keep-alive connections. MemoryDiagnoser counts
/// allocations process-wide, so "Allocated" is the proxy's per-request cost: the client and the
/// origin use blocking sockets with reused buffers and allocate nothing themselves. Expected: 0 B.
/// </summary>
[MemoryDiagnoser]
public class ProxyRoundTripBenchmark
{
    private const int Concurrent = 16;
    private const int BodyLength = 13; // "Hello, World!" from both the origin and the mock route

    private static readonly byte[] s_forwardRequest = "GET /app/hello HTTP/1.1\r\nHost: bench.local\r\nUser-Agent: bench\r\n\r\n"u8.ToArray();
    private static readonly byte[] s_mockRequest = "GET /mock HTTP/1.1\r\nHost: bench.local\r\nUser-Agent: bench\r\n\r\n"u8.ToArray();
    private const int UploadLength = 1024;
    private static readonly byte[] s_postRequest = [
        .. "POST /app/upload HTTP/1.1\r\nHost: bench.local\r\nUser-Agent: bench\r\nContent-Length: 1024\r\n\r\n"u8,
        .. Enumerable.Repeat((byte)'x', UploadLength)];
    private static readonly byte[] s_expectHead =
        "POST /app/upload HTTP/1.1\r\nHost: bench.local\r\nUser-Agent: bench\r\nContent-Length: 1024\r\nExpect: 100-continue\r\n\r\n"u8.ToArray();
    private static readonly byte[] s_upload = Enumerable.Repeat((byte)'x', UploadLength).ToArray();
    private static readonly byte[] s_chunkedRequest = [
        .. "POST /app/upload HTTP/1.1\r\nHost: bench.local\r\nUser-Agent: bench\r\nTransfer-Encoding: chunked\r\n\r\n"u8,
        .. "200\r\n"u8, .. Enumerable.Repeat((byte)'x', UploadLength / 2), .. "\r\n"u8,
        .. "200\r\n"u8, .. Enumerable.Repeat((byte)'x', UploadLength / 2), .. "\r\n0\r\n\r\n"u8];

    private LoopbackBackend _backend = null!;
    private EdgeHost _host = null!;
    private Socket _client = null!;
    private Socket[] _clients = [];
    private readonly byte[] _buffer = new byte[16 * 1024];

    [GlobalSetup]
    public void Setup()
    {
        // As Program.cs does for the daemon, before any socket exists in this process: completions run
        // on the epoll threads, the configuration being measured.
        Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
        _backend = new LoopbackBackend();
        var yaml = $$"""
            listeners:
              - name: public
                address: 127.0.0.1:0
            admin:
              enabled: false
            limits:
              keepAliveTimeout: 1h
            routes:
              - name: mock
                match:
                  path: /mock
                  pathMatch: exact
                mock:
                  status: 200
                  body: "Hello, World!"
              - name: app
                match:
                  path: /
                cluster: app
            clusters:
              - name: app
                destinations: [127.0.0.1:{{_backend.Port}}]
                idleTimeout: 1h
            accessLog:
              enabled: false
            """;
        var loaded = ConfigLoader.LoadYaml(yaml, "benchmark");
        if (!loaded.Ok) throw new InvalidOperationException(string.Join("; ", loaded.Errors));
        _host = EdgeHost.StartAsync(loaded.Config!, null, NullLoggerFactory.Instance).GetAwaiter().GetResult();

        _client = Connect(_host.ListenerEndpoints[0]);
        _clients = new Socket[Concurrent];
        for (var i = 0; i < _clients.Length; i++) _clients[i] = Connect(_host.ListenerEndpoints[0]);
        // Warm every path so the first measured request opens no upstream connection.
        for (var i = 0; i < 100; i++)
        {
            Forward_KeepAlive();
            Forward_16Connections();
            Mock_KeepAlive();
            Post1KiB_KeepAlive();
            Post1KiB_16Connections();
            PostChunked1KiB_KeepAlive();
            PostChunked1KiB_16Connections();
            PostExpect1KiB_KeepAlive();
            PostExpect1KiB_16Connections();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.Dispose();
        foreach (var client in _clients) client.Dispose();
        _host.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _backend.Dispose();
    }

    [Benchmark(Baseline = true)]
    public int Forward_KeepAlive()
    {
        _client.Send(s_forwardRequest);
        return ReceiveResponse(_client);
    }

    /// <summary>16 requests in flight at once, one per connection: the proxy interleaves them on its I/O threads.</summary>
    [Benchmark(OperationsPerInvoke = Concurrent)]
    public int Forward_16Connections()
    {
        foreach (var client in _clients) client.Send(s_forwardRequest);
        var total = 0;
        foreach (var client in _clients) total += ReceiveResponse(client);
        return total;
    }

    [Benchmark]
    public int Mock_KeepAlive()
    {
        _client.Send(s_mockRequest);
        return ReceiveResponse(_client);
    }

    /// <summary>A POST with a 1 KiB Content-Length body: head and body leave the client in one send.</summary>
    [Benchmark]
    public int Post1KiB_KeepAlive()
    {
        _client.Send(s_postRequest);
        return ReceiveResponse(_client);
    }

    [Benchmark(OperationsPerInvoke = Concurrent)]
    public int Post1KiB_16Connections() => RoundTrip16(s_postRequest);

    /// <summary>A POST with a chunked 1 KiB body (two 512-byte chunks), relayed verbatim.</summary>
    [Benchmark]
    public int PostChunked1KiB_KeepAlive()
    {
        _client.Send(s_chunkedRequest);
        return ReceiveResponse(_client);
    }

    [Benchmark(OperationsPerInvoke = Concurrent)]
    public int PostChunked1KiB_16Connections() => RoundTrip16(s_chunkedRequest);

    /// <summary>
    /// The body streams: the client sends "Expect: 100-continue" and waits for the origin's 100 Continue,
    /// relayed by the proxy, before sending its 1 KiB. So the proxy's body relay always starts with no body
    /// byte buffered and waits for it, concurrently with the response head read.
    /// </summary>
    [Benchmark]
    public int PostExpect1KiB_KeepAlive()
    {
        _client.Send(s_expectHead);
        ReceiveContinue(_client);
        _client.Send(s_upload);
        return ReceiveResponse(_client);
    }

    [Benchmark(OperationsPerInvoke = Concurrent)]
    public int PostExpect1KiB_16Connections()
    {
        foreach (var client in _clients) client.Send(s_expectHead);
        foreach (var client in _clients)
        {
            ReceiveContinue(client);
            client.Send(s_upload);
        }
        var total = 0;
        foreach (var client in _clients) total += ReceiveResponse(client);
        return total;
    }

    private int RoundTrip16(byte[] request)
    {
        foreach (var client in _clients) client.Send(request);
        var total = 0;
        foreach (var client in _clients) total += ReceiveResponse(client);
        return total;
    }

    private static Socket Connect(IPEndPoint endpoint)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
        {
            NoDelay = true,
            ReceiveTimeout = 10_000, // a broken proxy fails the run instead of hanging it
        };
        socket.Connect(endpoint);
        return socket;
    }

    /// <summary>Reads exactly one interim "100 Continue" head (nothing follows it before the body is sent).</summary>
    private void ReceiveContinue(Socket socket)
    {
        var filled = 0;
        while (true)
        {
            var n = socket.Receive(_buffer.AsSpan(filled));
            if (n == 0) throw new InvalidOperationException("the proxy closed the connection");
            filled += n;
            var headEnd = _buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8);
            if (headEnd < 0) continue;
            if (filled != headEnd + 4 || !_buffer.AsSpan(9, 3).SequenceEqual("100"u8))
            {
                throw new InvalidOperationException("unexpected interim response: " + System.Text.Encoding.ASCII.GetString(_buffer, 0, filled));
            }
            return;
        }
    }

    /// <summary>Reads exactly one response: its head, then the 13-byte body both routes answer with.</summary>
    private int ReceiveResponse(Socket socket)
    {
        var filled = 0;
        while (true)
        {
            var n = socket.Receive(_buffer.AsSpan(filled));
            if (n == 0) throw new InvalidOperationException("the proxy closed the connection");
            filled += n;
            var headEnd = _buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8);
            if (headEnd < 0) continue;
            var expected = headEnd + 4 + BodyLength;
            if (filled < expected) continue;
            if (filled > expected || !_buffer.AsSpan(9, 3).SequenceEqual("200"u8))
            {
                throw new InvalidOperationException("unexpected response: " + System.Text.Encoding.ASCII.GetString(_buffer, 0, filled));
            }
            return filled;
        }
    }
}
