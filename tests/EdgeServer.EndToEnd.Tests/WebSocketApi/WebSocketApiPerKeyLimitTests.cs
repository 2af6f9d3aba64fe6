using System.Net;
using System.Net.WebSockets;
using EdgeServer.ApiKeys;
using EdgeServer.EndToEnd.Tests.Infrastructure;
using EdgeServer.EndToEnd.Tests.WebSockets;
using EdgeServer.Policy.ApiKeys;
using static EdgeServer.EndToEnd.Tests.WebSocketApi.ApiEdge;

namespace EdgeServer.EndToEnd.Tests.WebSocketApi;

/// <summary>
/// routes[].webSocketApi.maxConnectionsPerKey: the API key the handshake authenticated with is counted for the
/// connection's whole life (after the 101 the request's fields are gone, the slot is not); key B is admitted while
/// key A is at its limit; A's slot comes back when one of its connections ends, before $disconnect is called.
/// </summary>
public sealed class WebSocketApiPerKeyLimitTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edge-wsapi-key-e2e-").FullName;
    private string Store => Path.Combine(_dir, "keys.yaml");

    private static (string Key, ApiKeyEntry Entry) NewKey(string name)
    {
        var key = ApiKeyFormat.Generate();
        Assert.True(ApiKeyFormat.TryParse(key, out var id));
        return (key, new ApiKeyEntry(id, name, "tests", "gold", ApiKeyFormat.Hash(key), DateTimeOffset.UtcNow));
    }

    private string Config(string backend, string limits) =>
        EdgeConfig(backend, limits).Replace("    cluster: backend\n", "    cluster: backend\n    apiKey: {}\n", StringComparison.Ordinal)
        + $"\napiKeys:\n  store: {Store}\nusagePlans:\n  - {{ name: gold }}\n";

    private static Task<ClientWebSocket> ConnectWithKeyAsync(EdgeInstance edge, string key) =>
        ConnectAsync(edge, configure: o => o.SetRequestHeader("X-Api-Key", key));

    [Fact]
    public async Task Key_a_at_its_limit_is_refused_with_429_per_key_limit_while_key_b_connects_and_a_close_frees_a_slot()
    {
        var a = NewKey("tenant-a");
        var b = NewKey("tenant-b");
        ApiKeyStoreWriter.Write(Store, [a.Entry, b.Entry]);
        await using var backend = await ApiBackend.StartAsync();
        var config = Config(backend.Address, "      maxConnectionsPerKey: 1\n      maxConnectionsPerIp: 2");
        Assert.Contains("    apiKey: {}\n", config);
        await using var edge = await EdgeInstance.StartAsync(config);

        var a1 = await ConnectWithKeyAsync(edge, a.Key);
        var firstId = (await backend.WaitForAsync(c => c.EventType == "CONNECT")).ConnectionId;
        await SendTextAsync(a1, """{"action":"echo","n":1}""");
        Assert.Equal((WebSocketMessageType.Text, """echo:{"action":"echo","n":1}"""), await ReceiveAsync(a1));

        // The refused handshake: 429 with the limit named, and no $connect call for it.
        using (var refused = await RawWebSocket.ConnectAsync(edge.Endpoint, "/ws", extraHeaders: $"X-Api-Key: {a.Key}\r\n"))
        {
            Assert.Equal(429, refused.Status);
            var body = await refused.ReadRestAsync();
            Assert.Contains("\"reason\":\"per_key_limit\"", body);
        }
        using var second = new ClientWebSocket();
        second.Options.SetRequestHeader("X-Api-Key", a.Key);
        second.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<WebSocketException>(() => second.ConnectAsync(WsUri(edge), CancellationToken.None));
        Assert.Equal(HttpStatusCode.TooManyRequests, second.HttpStatusCode);
        Assert.Single(backend.Calls, c => c.EventType == "CONNECT");

        // Key B from the same address: its own slot (and the per-address slots the refusals took were given back).
        using var b1 = await ConnectWithKeyAsync(edge, b.Key);
        Assert.Equal(WebSocketState.Open, b1.State);

        await a1.CloseAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
        await backend.WaitForAsync(c => c.ConnectionId == firstId && c.EventType == "DISCONNECT");
        using var a2 = await ConnectWithKeyAsync(edge, a.Key);
        Assert.Equal(WebSocketState.Open, a2.State);

        var metrics = await AdminClient.GetAsync(edge, "/metrics");
        Assert.Contains("edge_wsapi_handshakes_limited_total{route=\"api\",reason=\"per_key_limit\"} 2", metrics);
        Assert.Contains("edge_wsapi_handshakes_limited_total{route=\"api\",reason=\"per_ip_limit\"} 0", metrics);
        Assert.Contains("edge_wsapi_handshakes_refused_total{route=\"api\"} 2", metrics);
        Assert.Contains("\"maxConnectionsPerKey\": 1", await AdminClient.GetAsync(edge, "/config"));
        a1.Dispose();
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
