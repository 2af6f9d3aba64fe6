using EdgeServer.Observability;

namespace EdgeServer.Tests.Observability;

public sealed class MetricsConcurrencyTests
{
    private const int Threads = 4;
    private const int PerThread = 200_000;

    [Fact]
    public void Concurrent_recordings_from_several_threads_add_up_exactly()
    {
        var metrics = new EdgeMetrics(includeProcessMetrics: false);
        RouteMetrics route = metrics.ForRoute("api");
        UpstreamMetrics cluster = metrics.ForCluster("backend");
        using var start = new Barrier(Threads);

        var workers = new Thread[Threads];
        for (int t = 0; t < Threads; t++)
        {
            workers[t] = new Thread(() =>
            {
                start.SignalAndWait();
                for (int i = 0; i < PerThread; i++)
                {
                    route.RecordRequest(i % 2 == 0 ? 200 : 503);
                    cluster.RecordLatency(TimeSpan.FromMilliseconds(i % 2 == 0 ? 1 : 100));
                    metrics.ConnectionOpened();
                    metrics.AddBytesIn(3);
                    metrics.AddBytesOut(7);
                    metrics.ConnectionClosed();
                }
            });
            workers[t].Start();
        }
        foreach (Thread worker in workers)
        {
            worker.Join();
        }

        PrometheusExposition scrape = MetricsTestOutput.Scrape(metrics);
        const long Total = (long)Threads * PerThread;
        Assert.Equal(Total / 2, scrape.Single("edge_requests_total", ("route", "api"), ("status_class", "2xx")));
        Assert.Equal(Total / 2, scrape.Single("edge_requests_total", ("route", "api"), ("status_class", "5xx")));
        Assert.Equal(Total / 2, scrape.Single("edge_upstream_response_seconds_bucket", ("cluster", "backend"), ("le", "0.001")));
        Assert.Equal(Total, scrape.Single("edge_upstream_response_seconds_count", ("cluster", "backend")));
        Assert.Equal(Total / 2 * 0.101, scrape.Single("edge_upstream_response_seconds_sum", ("cluster", "backend")), 6);
        Assert.Equal(Total, scrape.Single("edge_connections_total"));
        Assert.Equal(0, scrape.Single("edge_connections_open"));
        Assert.Equal(Total * 3, scrape.Single("edge_received_bytes_total"));
        Assert.Equal(Total * 7, scrape.Single("edge_sent_bytes_total"));
    }

    [Fact]
    public void Recording_on_the_data_path_allocates_nothing()
    {
        var metrics = new EdgeMetrics(includeProcessMetrics: false);
        RouteMetrics route = metrics.ForRoute("api");
        UpstreamMetrics cluster = metrics.ForCluster("backend");
        Record(metrics, route, cluster, 100);

        long before = GC.GetAllocatedBytesForCurrentThread();
        Record(metrics, route, cluster, 10_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    private static void Record(EdgeMetrics metrics, RouteMetrics route, UpstreamMetrics cluster, int count)
    {
        for (int i = 0; i < count; i++)
        {
            route.RecordRequest(200);
            cluster.RecordLatency(TimeSpan.FromMilliseconds(i));
            metrics.RecordUpstreamLatency("backend", TimeSpan.FromMilliseconds(i));
            metrics.ConnectionOpened();
            metrics.AddBytesIn(100);
            metrics.AddBytesOut(100);
            metrics.ConnectionClosed();
        }
    }
}
