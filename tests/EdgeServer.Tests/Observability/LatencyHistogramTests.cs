using EdgeServer.Observability;

namespace EdgeServer.Tests.Observability;

public sealed class LatencyHistogramTests
{
    [Fact]
    public void Buckets_span_half_a_millisecond_to_thirty_seconds()
    {
        Assert.Equal(0.0005, LatencyHistogram.BoundsSeconds[0]);
        Assert.Equal(30, LatencyHistogram.BoundsSeconds[^1]);
        Assert.Equal(["0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "30"], LatencyHistogram.BoundLabels);
    }

    [Fact]
    public void A_value_on_a_bound_falls_in_that_bucket_and_buckets_are_cumulative()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(TimeSpan.FromMilliseconds(0.5));                      // le=0.0005 (on the bound)
        histogram.Record(TimeSpan.FromMilliseconds(0.5) + TimeSpan.FromTicks(1)); // le=0.001
        histogram.Record(TimeSpan.FromMilliseconds(7));                        // le=0.01
        histogram.Record(TimeSpan.FromSeconds(30));                            // le=30
        histogram.Record(TimeSpan.FromSeconds(31));                            // +Inf only

        Span<long> cumulative = stackalloc long[LatencyHistogram.CellCount];
        histogram.CopyCumulative(cumulative);

        Assert.Equal(1, cumulative[0]);  // 0.0005
        Assert.Equal(2, cumulative[1]);  // 0.001
        Assert.Equal(2, cumulative[3]);  // 0.005
        Assert.Equal(3, cumulative[4]);  // 0.01
        Assert.Equal(3, cumulative[13]); // 10
        Assert.Equal(4, cumulative[14]); // 30
        Assert.Equal(5, cumulative[15]); // +Inf
        Assert.Equal(0.0005 + 0.0005001 + 0.007 + 30 + 31, histogram.SumSeconds, 9);
    }

    [Fact]
    public void A_negative_latency_counts_as_zero()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(TimeSpan.FromMilliseconds(-3));

        Span<long> cumulative = stackalloc long[LatencyHistogram.CellCount];
        histogram.CopyCumulative(cumulative);

        Assert.Equal(1, cumulative[0]);
        Assert.Equal(0, histogram.SumSeconds);
    }

    [Fact]
    public void Scrape_shows_buckets_sum_and_count_per_cluster()
    {
        var metrics = new EdgeMetrics(includeProcessMetrics: false);
        UpstreamMetrics backend = metrics.ForCluster("backend");
        backend.RecordLatency(TimeSpan.FromMilliseconds(3));
        backend.RecordLatency(TimeSpan.FromMilliseconds(200));
        metrics.RecordUpstreamLatency("backend", TimeSpan.FromSeconds(2));
        metrics.RecordUpstreamLatency("auth", TimeSpan.FromMilliseconds(1));

        PrometheusExposition scrape = MetricsTestOutput.Scrape(metrics);

        Assert.Same(backend, metrics.ForCluster("backend"));
        Assert.Equal("histogram", scrape.Types["edge_upstream_response_seconds"]);
        Assert.Equal(0, scrape.Single("edge_upstream_response_seconds_bucket", ("cluster", "backend"), ("le", "0.0025")));
        Assert.Equal(1, scrape.Single("edge_upstream_response_seconds_bucket", ("cluster", "backend"), ("le", "0.005")));
        Assert.Equal(2, scrape.Single("edge_upstream_response_seconds_bucket", ("cluster", "backend"), ("le", "0.25")));
        Assert.Equal(3, scrape.Single("edge_upstream_response_seconds_bucket", ("cluster", "backend"), ("le", "2.5")));
        Assert.Equal(3, scrape.Single("edge_upstream_response_seconds_bucket", ("cluster", "backend"), ("le", "+Inf")));
        Assert.Equal(3, scrape.Single("edge_upstream_response_seconds_count", ("cluster", "backend")));
        Assert.Equal(2.203, scrape.Single("edge_upstream_response_seconds_sum", ("cluster", "backend")), 9);
        Assert.Equal(1, scrape.Single("edge_upstream_response_seconds_count", ("cluster", "auth")));
        Assert.Equal(16, scrape.Samples.Count(s => s.Name == "edge_upstream_response_seconds_bucket" && s.Labels["cluster"] == "auth"));

        // Sorted by cluster: auth before backend.
        var clusters = scrape.Family("edge_upstream_response_seconds").Select(s => s.Labels["cluster"]).Distinct().ToArray();
        Assert.Equal(["auth", "backend"], clusters);
    }
}
