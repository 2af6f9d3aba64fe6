using EdgeServer.Observability;

namespace EdgeServer.Tests.Observability;

public sealed class GaugeSourceTests
{
    [Fact]
    public void Samples_sharing_a_name_get_one_help_and_type_and_are_sorted()
    {
        var metrics = new EdgeMetrics(includeProcessMetrics: false);
        metrics.RegisterGaugeSource(static w =>
        {
            w.Write("edge_upstream_pool_idle", "Idle pooled connections.", "destination", "10.0.0.2:80", 2);
            w.Write("edge_upstream_pool_busy", "Leased connections.", "destination", "10.0.0.2:80", 5);
        });
        metrics.RegisterGaugeSource(static w =>
        {
            w.Write("edge_upstream_pool_idle", "Idle pooled connections.", "destination", "10.0.0.1:80", 1.5);
            w.Write("edge_upstream_pool_busy", "Leased connections.", "destination", "10.0.0.1:80", 0);
        });

        string text = MetricsTestOutput.Render(metrics);
        PrometheusExposition scrape = PrometheusExposition.Parse(text);

        Assert.Contains("""
            # HELP edge_upstream_pool_busy Leased connections.
            # TYPE edge_upstream_pool_busy gauge
            edge_upstream_pool_busy{destination="10.0.0.1:80"} 0
            edge_upstream_pool_busy{destination="10.0.0.2:80"} 5
            # HELP edge_upstream_pool_idle Idle pooled connections.
            # TYPE edge_upstream_pool_idle gauge
            edge_upstream_pool_idle{destination="10.0.0.1:80"} 1.5
            edge_upstream_pool_idle{destination="10.0.0.2:80"} 2

            """.ReplaceLineEndings("\n"), text, StringComparison.Ordinal);
        Assert.Equal("gauge", scrape.Types["edge_upstream_pool_idle"]);
    }

    [Fact]
    public void A_repeated_series_keeps_the_first_report_and_invalid_names_are_left_out()
    {
        var metrics = new EdgeMetrics(includeProcessMetrics: false);
        metrics.RegisterGaugeSource(static w =>
        {
            w.Write("edge_pool", "Pool.", "destination", "a", 1);
            w.Write("edge_pool", "Pool.", "destination", "a", 2);
            w.Write("0bad name", "Bad.", "destination", "a", 3);
            w.Write("edge_pool", "Pool.", "__reserved", "a", 4);
            w.Write("edge_pool", "Pool.", "bad-label", "a", 5);
        });

        PrometheusExposition scrape = MetricsTestOutput.Scrape(metrics);

        Assert.Equal(1, scrape.Single("edge_pool"));
        Assert.Single(scrape.Family("edge_pool"));
    }

    [Fact]
    public void Special_float_values_use_the_format_spelling()
    {
        var metrics = new EdgeMetrics(includeProcessMetrics: false);
        metrics.RegisterGaugeSource(static w =>
        {
            w.Write("edge_special", "Special values.", "v", "nan", double.NaN);
            w.Write("edge_special", "Special values.", "v", "pinf", double.PositiveInfinity);
            w.Write("edge_special", "Special values.", "v", "ninf", double.NegativeInfinity);
            w.Write("edge_special", "Special values.", "v", "tiny", 1e-300);
        });

        string text = MetricsTestOutput.Render(metrics);
        PrometheusExposition.Parse(text);

        Assert.Contains("edge_special{v=\"nan\"} NaN\n", text, StringComparison.Ordinal);
        Assert.Contains("edge_special{v=\"pinf\"} +Inf\n", text, StringComparison.Ordinal);
        Assert.Contains("edge_special{v=\"ninf\"} -Inf\n", text, StringComparison.Ordinal);
        Assert.Contains("edge_special{v=\"tiny\"} 1E-300\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Disposing_the_registration_removes_the_source()
    {
        var metrics = new EdgeMetrics(includeProcessMetrics: false);
        IDisposable registration = metrics.RegisterGaugeSource(static w => w.Write("edge_pool", "Pool.", "destination", "a", 1));
        Assert.Contains("edge_pool{", MetricsTestOutput.Render(metrics), StringComparison.Ordinal);

        registration.Dispose();

        Assert.DoesNotContain("edge_pool", MetricsTestOutput.Render(metrics), StringComparison.Ordinal);
    }
}
