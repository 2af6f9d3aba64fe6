using EdgeServer.Observability;

namespace EdgeServer.Tests.Observability;

public sealed class RouteMetricsTests
{
    [Theory]
    [InlineData(100, "1xx")]
    [InlineData(101, "1xx")]
    [InlineData(199, "1xx")]
    [InlineData(200, "2xx")]
    [InlineData(304, "3xx")]
    [InlineData(404, "4xx")]
    [InlineData(499, "4xx")]
    [InlineData(502, "5xx")]
    [InlineData(599, "5xx")]
    public void Counts_a_status_in_its_class(int status, string expectedClass)
    {
        var metrics = new EdgeMetrics(includeProcessMetrics: false);
        metrics.ForRoute("api").RecordRequest(status);

        PrometheusExposition scrape = MetricsTestOutput.Scrape(metrics);

        foreach (string statusClass in (string[])["1xx", "2xx", "3xx", "4xx", "5xx"])
        {
            double expected = statusClass == expectedClass ? 1 : 0;
            Assert.Equal(expected, scrape.Single("edge_requests_total", ("route", "api"), ("status_class", statusClass)));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(99)]
    [InlineData(600)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    [InlineData(int.MaxValue)]
    public void Counts_a_code_that_is_no_http_status_as_5xx(int status)
    {
        Assert.Equal(4, RouteMetrics.StatusClassIndex(status));
    }

    [Fact]
    public void The_same_route_name_gets_the_same_cells_so_counts_survive_a_reload()
    {
        var metrics = new EdgeMetrics(includeProcessMetrics: false);
        RouteMetrics beforeReload = metrics.ForRoute("api");
        beforeReload.RecordRequest(200);

        RouteMetrics afterReload = metrics.ForRoute("api");
        afterReload.RecordRequest(200);

        Assert.Same(beforeReload, afterReload);
        Assert.Equal(2, MetricsTestOutput.Scrape(metrics).Single("edge_requests_total", ("route", "api"), ("status_class", "2xx")));
    }

    [Fact]
    public void Unrouted_requests_have_an_empty_route_label()
    {
        var metrics = new EdgeMetrics(includeProcessMetrics: false);
        metrics.Unrouted.RecordRequest(404);
        metrics.Unrouted.RecordRequest(400);

        Assert.Equal(EdgeMetrics.UnroutedRouteLabel, metrics.Unrouted.Route);
        Assert.Equal(2, MetricsTestOutput.Scrape(metrics).Single("edge_requests_total", ("route", ""), ("status_class", "4xx")));
    }

    [Fact]
    public void A_route_must_have_a_name()
    {
        var metrics = new EdgeMetrics(includeProcessMetrics: false);

        Assert.Throws<ArgumentException>(() => metrics.ForRoute(""));
    }
}
