using EdgeServer.ApiKeys;
using EdgeServer.EndToEnd.Tests.Infrastructure;
using EdgeServer.Policy.ApiKeys;

namespace EdgeServer.EndToEnd.Tests.WebSockets;

/// <summary>
/// routes[].websocket.maxConnectionsPerKey through the proxy: two API keys from one address, one at its limit and
/// the other still admitted; a close frees a slot; refused handshakes give back their per-address slot; open
/// connections keep counting across a reload; /config and /metrics show it.
/// </summary>
public sealed class WebSocketPerKeyLimitTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edge-wskey-e2e-").FullName;
    private string Store => Path.Combine(_dir, "keys.yaml");

    private static (string Key, ApiKeyEntry Entry) NewKey(string name)
    {
        var key = ApiKeyFormat.Generate();
        Assert.True(ApiKeyFormat.TryParse(key, out var id));
        return (key, new ApiKeyEntry(id, name, "tests", "gold", ApiKeyFormat.Hash(key), DateTimeOffset.UtcNow));
    }

    private string Config(string backend, string websocket) =>
        Configs.Proxy(
            $"""
              - name: app
                destinations: [{backend}]
            """,
            $$"""
              - name: ws
                match:
                  path: /
                cluster: app
                apiKey: {}
                websocket: { {{websocket}} }
            """) + $"\napiKeys:\n  store: {Store}\nusagePlans:\n  - {{ name: gold }}\n";

    private static Task<RawWebSocket> ConnectAsync(EdgeInstance edge, string? key) =>
        RawWebSocket.ConnectAsync(edge.Endpoint, "/ws/echo", extraHeaders: key is null ? "" : $"X-Api-Key: {key}\r\n");

    private static async Task CloseAsync(RawWebSocket ws)
    {
        await ws.SendFrameAsync(8, RawWebSocket.ClosePayload(1000));
        Assert.Equal(1000, (await ws.ReadUntilCloseAsync())!.CloseCode);
        ws.Dispose();
    }

    private static async Task AssertRefusedPerKeyAsync(EdgeInstance edge, string key)
    {
        using var refused = await ConnectAsync(edge, key);
        Assert.Equal(429, refused.Status);
        var body = await refused.ReadRestAsync();
        Assert.Contains("\"reason\":\"per_key_limit\"", body);
        Assert.Contains("too many WebSocket connections for this API key", body);
    }

    [Fact]
    public async Task Key_a_at_its_limit_is_refused_while_key_b_is_admitted_and_a_close_frees_a_slot()
    {
        var a = NewKey("tenant-a");
        var b = NewKey("tenant-b");
        ApiKeyStoreWriter.Write(Store, [a.Entry, b.Entry]);
        await using var backend = await WsBackend.StartAsync();
        // Per address 4: if the two per-key refusals below kept the address slots they took, key B would be refused too.
        await using var edge = await EdgeInstance.StartAsync(Config(backend.Address, "enabled: true, maxConnectionsPerIp: 4, maxConnectionsPerKey: 2"));

        using (var anonymous = await ConnectAsync(edge, null)) Assert.Equal(403, anonymous.Status);
        var a1 = await ConnectAsync(edge, a.Key);
        var a2 = await ConnectAsync(edge, a.Key);
        Assert.Equal((101, 101), (a1.Status, a2.Status));
        await AssertRefusedPerKeyAsync(edge, a.Key);
        await AssertRefusedPerKeyAsync(edge, a.Key);

        using var b1 = await ConnectAsync(edge, b.Key);
        Assert.Equal(101, b1.Status);
        await b1.SendTextAsync("b is fine");
        Assert.Equal("b is fine", (await b1.ReadFrameAsync())!.Text);

        // Closing one of A's connections frees its slot as soon as the open gauge drops.
        await CloseAsync(a1);
        await WebSocketRelayTests.WaitForOpenAsync(edge, 2);
        using var a3 = await ConnectAsync(edge, a.Key);
        Assert.Equal(101, a3.Status);
        await AssertRefusedPerKeyAsync(edge, a.Key);

        var metrics = await AdminClient.GetAsync(edge, "/metrics");
        Assert.Contains("edge_websocket_upgrades_refused_total{route=\"ws\",reason=\"per_key_limit\"} 3", metrics);
        Assert.DoesNotContain("reason=\"per_ip_limit\"", metrics);
        Assert.Contains("\"maxConnectionsPerKey\": 2", await AdminClient.GetAsync(edge, "/config"));
        a2.Dispose();
    }

    [Fact]
    public async Task Open_connections_keep_their_slots_across_a_reload_and_a_lower_limit_applies_to_new_ones()
    {
        var a = NewKey("tenant-a");
        var b = NewKey("tenant-b");
        ApiKeyStoreWriter.Write(Store, [a.Entry, b.Entry]);
        await using var backend = await WsBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(Config(backend.Address, "enabled: true, maxConnectionsPerKey: 2"));
        var a1 = await ConnectAsync(edge, a.Key);
        using var a2 = await ConnectAsync(edge, a.Key);
        using var b1 = await ConnectAsync(edge, b.Key);
        Assert.Equal((101, 101, 101), (a1.Status, a2.Status, b1.Status));

        var reloaded = await edge.ReloadAsync(Config(backend.Address, "enabled: true, maxConnectionsPerKey: 1, messagesPerSecond: 100"));
        Assert.True(reloaded.Ok, string.Join("; ", reloaded.Errors));
        Assert.Contains("\"maxConnectionsPerKey\": 1", await AdminClient.GetAsync(edge, "/config"));

        // The relays opened before the reload still work, and still count: A has 2 open, B has 1, the limit is now 1.
        await a2.SendTextAsync("still here");
        Assert.Equal("still here", (await a2.ReadFrameAsync())!.Text);
        await AssertRefusedPerKeyAsync(edge, a.Key);
        await AssertRefusedPerKeyAsync(edge, b.Key);

        // Closing one of A's leaves it at the new limit; closing the second frees a slot under it.
        await CloseAsync(a1);
        await WebSocketRelayTests.WaitForOpenAsync(edge, 2);
        await AssertRefusedPerKeyAsync(edge, a.Key);
        await CloseAsync(a2);
        await WebSocketRelayTests.WaitForOpenAsync(edge, 1);
        using var a3 = await ConnectAsync(edge, a.Key);
        Assert.Equal(101, a3.Status);
    }

    [Fact]
    public async Task A_handshake_the_backend_declines_gives_its_slot_back()
    {
        var a = NewKey("tenant-a");
        ApiKeyStoreWriter.Write(Store, [a.Entry]);
        await using var backend = await WsBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(Config(backend.Address, "enabled: true, maxConnectionsPerKey: 1"));
        for (var i = 0; i < 3; i++)
        {
            using var declined = await RawWebSocket.ConnectAsync(edge.Endpoint, "/ws/decline", extraHeaders: $"X-Api-Key: {a.Key}\r\n");
            Assert.Equal(403, declined.Status);
        }
        using var open = await ConnectAsync(edge, a.Key);
        Assert.Equal(101, open.Status);
        Assert.Contains("reason=\"backend_declined\"} 3", await AdminClient.GetAsync(edge, "/metrics"));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
