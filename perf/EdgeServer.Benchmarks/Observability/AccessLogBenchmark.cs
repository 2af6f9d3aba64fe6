using System.Net;
using BenchmarkDotNet.Attributes;
using EdgeServer.Config.Model;
using EdgeServer.Observability;

namespace EdgeServer.Benchmarks.Observability;

/// <summary>
/// The access log's cost on the request thread: formatting alone, and Write (format + copy into the
/// shared buffer). Output goes to Stream.Null so the flusher keeps up and the figure is the
/// caller's share, not disk speed. Expected: 0 B per record.
/// </summary>
[MemoryDiagnoser]
public class AccessLogBenchmark
{
    private static readonly byte[] RequestId = "0f3c2a9e-5b7d-4c1a-9e2f-7a6b5c4d3e2f"u8.ToArray();
    private static readonly byte[] Method = "GET"u8.ToArray();
    private static readonly byte[] Path = "/api/v1/items/42?expand=owner&fields=id,name"u8.ToArray();
    private static readonly byte[] HostilePath = [.. "/search?q=\"<script>\"\n"u8, 0xFF, 0xC3, .. "/é/😀"u8];
    private static readonly IPAddress ClientV4 = IPAddress.Parse("::ffff:203.0.113.9");
    private static readonly IPAddress ClientV6 = IPAddress.Parse("2001:db8::7");

    private readonly byte[] _scratch = new byte[4096];
    private AccessLogSink _sink = null!;

    [GlobalSetup]
    public void Setup() =>
        _sink = new AccessLogSink(new AccessLogConfig(), metrics: null, AccessLogSink.DefaultBufferBytes, AccessLogSink.DefaultFlushInterval, Stream.Null);

    [GlobalCleanup]
    public void Cleanup()
    {
        _sink.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Console.WriteLine($"// access log records dropped during the run: {_sink.Dropped}");
    }

    [Benchmark]
    public int Format() => AccessLogFormatter.Format(Entry(Path, ClientV4), _scratch);

    [Benchmark]
    public int FormatHostilePath() => AccessLogFormatter.Format(Entry(HostilePath, ClientV6), _scratch);

    /// <summary>Free-running: on a loaded host the flusher thread may not keep up and some records are dropped (the count is printed at cleanup).</summary>
    [Benchmark]
    public void Write() => _sink.Write(Entry(Path, ClientV4));

    /// <summary>Write with the batch drained on this thread every 1,000 records, so none is dropped: the cost of an accepted record.</summary>
    [Benchmark(OperationsPerInvoke = 1000)]
    public void WriteAccepted()
    {
        for (int i = 0; i < 1000; i++)
        {
            _sink.Write(Entry(Path, ClientV4));
        }
        _sink.Flush();
    }

    private static AccessLogEntry Entry(ReadOnlySpan<byte> path, IPAddress client) => new()
    {
        Time = DateTimeOffset.UtcNow,
        RequestId = RequestId,
        ClientIp = client,
        Method = Method,
        Path = path,
        Route = "api",
        Status = 200,
        BytesIn = 312,
        BytesOut = 4096,
        Upstream = "backend",
        UpstreamLatency = TimeSpan.FromTicks(123_456),
        TotalLatency = TimeSpan.FromTicks(130_000),
    };
}
