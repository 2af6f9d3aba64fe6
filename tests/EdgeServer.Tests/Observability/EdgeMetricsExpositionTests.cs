using EdgeServer.Observability;

namespace EdgeServer.Tests.Observability;

public sealed class EdgeMetricsExpositionTests
{
    [Fact]
    public void Writes_every_family_with_help_and_type_in_a_fixed_order()
    {
        var metrics = new EdgeMetrics(includeProcessMetrics: false);
        metrics.ForRoute("api").RecordRequest(200);
        metrics.Unrouted.RecordRequest(404);
        metrics.ConnectionOpened();
        metrics.ConnectionOpened();
        metrics.ConnectionOpened();
        metrics.ConnectionClosed();
        metrics.AddBytesIn(100);
        metrics.AddBytesOut(2000);
        metrics.SetConfigGeneration(7);
        metrics.ConfigReload(succeeded: true);
        metrics.ConfigReload(succeeded: true);
        metrics.ConfigReload(succeeded: false);
        metrics.AccessLogRecordsDropped(5);
        metrics.RegisterGaugeSource(static w => w.Write("edge_upstream_pool_idle", "Idle pooled upstream connections.", "destination", "10.0.0.1:80", 3));

        string expected = """
            # HELP edge_requests_total Requests answered, by route and status class (route="" for requests that matched no route).
            # TYPE edge_requests_total counter
            edge_requests_total{route="",status_class="1xx"} 0
            edge_requests_total{route="",status_class="2xx"} 0
            edge_requests_total{route="",status_class="3xx"} 0
            edge_requests_total{route="",status_class="4xx"} 1
            edge_requests_total{route="",status_class="5xx"} 0
            edge_requests_total{route="api",status_class="1xx"} 0
            edge_requests_total{route="api",status_class="2xx"} 1
            edge_requests_total{route="api",status_class="3xx"} 0
            edge_requests_total{route="api",status_class="4xx"} 0
            edge_requests_total{route="api",status_class="5xx"} 0
            # HELP edge_upstream_response_seconds Time from request head sent upstream to response head received, by cluster.
            # TYPE edge_upstream_response_seconds histogram
            # HELP edge_connections_open Client connections currently open.
            # TYPE edge_connections_open gauge
            edge_connections_open 2
            # HELP edge_connections_total Client connections accepted.
            # TYPE edge_connections_total counter
            edge_connections_total 3
            # HELP edge_received_bytes_total Bytes received from clients.
            # TYPE edge_received_bytes_total counter
            edge_received_bytes_total 100
            # HELP edge_sent_bytes_total Bytes sent to clients.
            # TYPE edge_sent_bytes_total counter
            edge_sent_bytes_total 2000
            # HELP edge_config_generation Generation of the configuration snapshot in use.
            # TYPE edge_config_generation gauge
            edge_config_generation 7
            # HELP edge_config_reloads_total Configuration reloads attempted, by result.
            # TYPE edge_config_reloads_total counter
            edge_config_reloads_total{result="failure"} 1
            edge_config_reloads_total{result="success"} 2
            # HELP edge_access_log_dropped_total Access log records dropped (buffer full or write failed).
            # TYPE edge_access_log_dropped_total counter
            edge_access_log_dropped_total 5
            # HELP edge_upstream_pool_idle Idle pooled upstream connections.
            # TYPE edge_upstream_pool_idle gauge
            edge_upstream_pool_idle{destination="10.0.0.1:80"} 3

            """;
        string actual = MetricsTestOutput.Render(metrics);

        Assert.Equal(expected.ReplaceLineEndings("\n"), actual);
        PrometheusExposition.Parse(actual);
    }

    [Fact]
    public void Output_is_deterministic_and_sorted_by_label_whatever_the_creation_order()
    {
        var first = new EdgeMetrics(includeProcessMetrics: false);
        var second = new EdgeMetrics(includeProcessMetrics: false);
        string[] names = ["zeta", "alpha", "Mid", "beta", "alpha-2"];
        foreach (string name in names)
        {
            first.ForRoute(name).RecordRequest(200);
            first.ForCluster(name).RecordLatency(TimeSpan.FromMilliseconds(1));
        }
        foreach (string name in names.Reverse())
        {
            second.ForRoute(name).RecordRequest(200);
            second.ForCluster(name).RecordLatency(TimeSpan.FromMilliseconds(1));
        }

        string text = MetricsTestOutput.Render(first);
        PrometheusExposition scrape = PrometheusExposition.Parse(text);

        Assert.Equal(text, MetricsTestOutput.Render(second));
        string[] routes = scrape.Family("edge_requests_total").Select(s => s.Labels["route"]).Distinct().ToArray();
        Assert.Equal(["", "Mid", "alpha", "alpha-2", "beta", "zeta"], routes);
    }

    [Fact]
    public void Label_values_and_help_are_escaped_and_read_back_unchanged()
    {
        var metrics = new EdgeMetrics(includeProcessMetrics: false);
        const string hostile = "a\"b\\c\nd}e,f=\"g\" é";
        metrics.ForRoute(hostile).RecordRequest(500);
        metrics.ForCluster(hostile).RecordLatency(TimeSpan.FromSeconds(1));
        metrics.RegisterGaugeSource(static w => w.Write("edge_test_gauge", "Help with \\ backslash\nand newline \"quoted\".", "name", hostile, 1));

        string text = MetricsTestOutput.Render(metrics);
        PrometheusExposition scrape = PrometheusExposition.Parse(text);

        Assert.Contains("route=\"a\\\"b\\\\c\\nd}e,f=\\\"g\\\" é\"", text, StringComparison.Ordinal);
        Assert.Contains("# HELP edge_test_gauge Help with \\\\ backslash\\nand newline \"quoted\".\n", text, StringComparison.Ordinal);
        Assert.Equal(1, scrape.Single("edge_requests_total", ("route", hostile), ("status_class", "5xx")));
        Assert.Equal(1, scrape.Single("edge_upstream_response_seconds_count", ("cluster", hostile)));
        Assert.Equal(1, scrape.Single("edge_test_gauge", ("name", hostile)));
        Assert.Equal("Help with \\ backslash\nand newline \"quoted\".", scrape.Help["edge_test_gauge"]);
    }

    [Fact]
    public void Process_and_runtime_families_are_valid_exposition()
    {
        var metrics = new EdgeMetrics();
        metrics.ForRoute("api").RecordRequest(200);

        PrometheusExposition scrape = MetricsTestOutput.Scrape(metrics);

        Assert.True(scrape.Single("process_resident_memory_bytes") > 0);
        Assert.True(scrape.Single("process_cpu_seconds_total") > 0);
        Assert.True(scrape.Single("process_start_time_seconds") > 1_600_000_000);
        Assert.True(scrape.Single("dotnet_gc_heap_size_bytes") >= 0);
        Assert.Equal("counter", scrape.Types["dotnet_gc_collections_total"]);
        Assert.Equal(3, scrape.Family("dotnet_gc_collections_total").Count());
        Assert.All(scrape.Types.Keys, name => Assert.True(scrape.Help.ContainsKey(name)));
    }

    [Fact]
    public void Values_beyond_double_precision_stay_exact()
    {
        var metrics = new EdgeMetrics(includeProcessMetrics: false);
        metrics.AddBytesOut((1L << 53) + 1);

        Assert.Contains("edge_sent_bytes_total 9007199254740993\n", MetricsTestOutput.Render(metrics), StringComparison.Ordinal);
    }
}
