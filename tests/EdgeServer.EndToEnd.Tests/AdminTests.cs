using System.Text.Json;
using EdgeServer.EndToEnd.Tests.Infrastructure;

namespace EdgeServer.EndToEnd.Tests;

/// <summary>The admin listener: health, readiness, Prometheus metrics that reflect traffic, and the active config.</summary>
public sealed class AdminTests
{
    [Fact]
    public async Task Metrics_count_requests_by_route_and_status_class_and_show_pools()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(Configs.SingleBackend(backend.Address));
        using var client = await RawClient.ConnectAsync(edge.Endpoint);
        for (var i = 0; i < 3; i++)
        {
            await client.SendAsync("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
            Assert.Equal(200, (await client.ReadResponseAsync())!.Status);
        }
        await client.SendAsync("GET /status/503 HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal(503, (await client.ReadResponseAsync())!.Status);

        var metrics = await AdminClient.GetAsync(edge, "/metrics");
        Assert.Contains("edge_requests_total{route=\"app\",status_class=\"2xx\"} 3", metrics, StringComparison.Ordinal);
        Assert.Contains("edge_requests_total{route=\"app\",status_class=\"5xx\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("edge_upstream_response_seconds_count{cluster=\"app\"} 4", metrics, StringComparison.Ordinal);
        Assert.Contains("edge_connections_open 1", metrics, StringComparison.Ordinal);
        Assert.Contains($"edge_upstream_connections_idle{{destination=\"app/{backend.Address}\"}} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("edge_config_generation 1", metrics, StringComparison.Ordinal);
        Assert.Contains("# TYPE edge_received_bytes_total counter", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_ready_and_config_endpoints_answer()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(Configs.SingleBackend(backend.Address));
        Assert.Equal("ok\n", await AdminClient.GetAsync(edge, "/healthz"));
        Assert.Equal("ready\n", await AdminClient.GetAsync(edge, "/ready"));
        using var config = JsonDocument.Parse(await AdminClient.GetAsync(edge, "/config"));
        Assert.Equal(1, config.RootElement.GetProperty("generation").GetInt32());
        var text = config.RootElement.GetProperty("config").GetRawText();
        Assert.Contains(backend.Address, text, StringComparison.Ordinal);
    }
}
