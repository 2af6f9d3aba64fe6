using EdgeServer.EndToEnd.Tests.Infrastructure;

namespace EdgeServer.EndToEnd.Tests;

/// <summary>Config reload: applied atomically under load with no failed request; invalid files are refused and the running config stays.</summary>
public sealed class ReloadTests
{
    private static string MockConfig(string body, string extraRoute = "") => Configs.Proxy(
        "  []",
        $"""
          - name: greeting
            match:
              path: /
            mock:
              status: 200
              body: "{body}"
        {extraRoute}
        """).Replace("clusters:\n  []", "clusters: []", StringComparison.Ordinal);

    [Fact]
    public async Task Reload_under_load_swaps_config_without_a_failed_request()
    {
        await using var edge = await EdgeInstance.StartAsync(MockConfig("v1"));
        using var stop = new CancellationTokenSource();
        var failures = 0;
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var load = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            using var client = await RawClient.ConnectAsync(edge.Endpoint);
            while (!stop.IsCancellationRequested)
            {
                await client.SendAsync("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
                var response = await client.ReadResponseAsync();
                if (response is null || response.Status != 200) Interlocked.Increment(ref failures);
                else seen.AddOrUpdate(response.BodyText, 1, (_, n) => n + 1);
            }
        })).ToArray();

        // Reload only once traffic is flowing on the first generation (bounded wait).
        for (var i = 0; i < 200 && !seen.ContainsKey("v1"); i++) await Task.Delay(25);
        for (var generation = 2; generation <= 6; generation++)
        {
            await Task.Delay(150);
            var result = await edge.ReloadAsync(MockConfig($"v{generation}"));
            Assert.True(result.Ok, string.Join("; ", result.Errors));
        }
        await Task.Delay(150);
        await stop.CancelAsync();
        await Task.WhenAll(load);

        Assert.Equal(0, failures);
        Assert.Contains("v1", seen.Keys);
        Assert.Contains("v6", seen.Keys);
        Assert.Equal(6, edge.Host.Snapshot.Generation);
        Assert.Contains("edge_config_generation 6", await AdminClient.GetAsync(edge, "/metrics"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_reload_is_refused_with_positions_and_the_running_config_stays()
    {
        await using var edge = await EdgeInstance.StartAsync(MockConfig("v1"));
        var broken = MockConfig("v2").Replace("status: 200", "status: 200\n      colour: blue", StringComparison.Ordinal);
        var result = await edge.ReloadAsync(broken);

        Assert.False(result.Ok);
        var error = Assert.Single(result.Errors);
        Assert.Equal(edge.ConfigPath, error.Mark.File);
        Assert.True(error.Mark.Line > 1);
        Assert.Contains("colour", error.Message, StringComparison.Ordinal);

        using var client = await RawClient.ConnectAsync(edge.Endpoint);
        await client.SendAsync("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal("v1", (await client.ReadResponseAsync())!.BodyText);
        Assert.Equal(1, edge.Host.Snapshot.Generation);
        Assert.Contains("edge_config_reloads_total{result=\"failure\"} 1", await AdminClient.GetAsync(edge, "/metrics"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keep_alive_connection_survives_a_reload_and_sees_the_new_routes()
    {
        await using var edge = await EdgeInstance.StartAsync(MockConfig("before"));
        using var client = await RawClient.ConnectAsync(edge.Endpoint);
        await client.SendAsync("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal("before", (await client.ReadResponseAsync())!.BodyText);
        Assert.True((await edge.ReloadAsync(MockConfig("after"))).Ok);
        await client.SendAsync("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal("after", (await client.ReadResponseAsync())!.BodyText);
    }

    [Fact]
    public async Task Reload_that_changes_a_listener_is_refused_whole_and_says_a_restart_is_needed()
    {
        await using var edge = await EdgeInstance.StartAsync(MockConfig("v1"));
        var moved = MockConfig("v2").Replace("name: public", "name: renamed", StringComparison.Ordinal);
        var result = await edge.ReloadAsync(moved);

        Assert.False(result.Ok);
        Assert.Contains("restart", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
        using var client = await RawClient.ConnectAsync(edge.Endpoint);
        await client.SendAsync("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal("v1", (await client.ReadResponseAsync())!.BodyText);   // not half-applied: the new body is not served either
        Assert.Equal(1, edge.Host.Snapshot.Generation);
    }
}
