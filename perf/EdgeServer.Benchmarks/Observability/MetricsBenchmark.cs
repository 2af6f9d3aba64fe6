using System.Buffers;
using BenchmarkDotNet.Attributes;
using EdgeServer.Observability;

namespace EdgeServer.Benchmarks.Observability;

/// <summary>Data-path recording (expected: a few ns, 0 B) and one scrape of a realistic registry (allocations allowed there).</summary>
[MemoryDiagnoser]
public class MetricsBenchmark
{
    private readonly EdgeMetrics _metrics = new();
    private readonly ArrayBufferWriter<byte> _scrape = new(64 * 1024);
    private RouteMetrics _route = null!;
    private UpstreamMetrics _cluster = null!;

    [GlobalSetup]
    public void Setup()
    {
        _route = _metrics.ForRoute("api");
        _cluster = _metrics.ForCluster("backend");
        // A registry the size of a mid-sized deployment: 50 routes, 10 clusters, a pool gauge per destination.
        for (int i = 0; i < 50; i++)
        {
            _metrics.ForRoute("route-" + i).RecordRequest(200);
        }
        for (int i = 0; i < 10; i++)
        {
            _metrics.ForCluster("cluster-" + i).RecordLatency(TimeSpan.FromMilliseconds(i));
        }
        _metrics.RegisterGaugeSource(static w =>
        {
            for (int i = 0; i < 20; i++)
            {
                w.Write("edge_upstream_pool_idle", "Idle pooled connections.", "destination", "10.0.0." + i + ":80", i);
            }
        });
    }

    [Benchmark]
    public void RecordRequest() => _route.RecordRequest(200);

    [Benchmark]
    public void RecordLatency() => _cluster.RecordLatency(TimeSpan.FromMilliseconds(12));

    [Benchmark]
    public void RecordUpstreamLatencyByName() => _metrics.RecordUpstreamLatency("backend", TimeSpan.FromMilliseconds(12));

    [Benchmark]
    public void AddBytesOut() => _metrics.AddBytesOut(1460);

    [Benchmark]
    public int WritePrometheus()
    {
        _scrape.ResetWrittenCount();
        _metrics.WritePrometheus(_scrape);
        return _scrape.WrittenCount;
    }
}
