using System.Net.WebSockets;
using System.Text;
using EdgeServer.EndToEnd.Tests.Infrastructure;

namespace EdgeServer.EndToEnd.Tests.WebSockets;

/// <summary>
/// A relayed connection over time: it survives config reloads (even one that removes WebSocket from its route), the
/// edge pings quiet peers and closes silent ones (1001), and shutdown closes every relay with 1001 both ways.
/// </summary>
public sealed class WebSocketLifecycleTests
{
    private static async Task EchoAsync(ClientWebSocket client, string text)
    {
        await client.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, default);
        var buffer = new byte[16 * 1024];
        var length = 0;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var received = await client.ReceiveAsync(buffer.AsMemory(length), cts.Token);
            length += received.Count;
            if (received.EndOfMessage) break;
        }
        Assert.Equal(text, Encoding.UTF8.GetString(buffer, 0, length));
    }

    [Fact]
    public async Task Open_connections_survive_reloads_even_one_that_disables_websocket_on_their_route()
    {
        await using var backend = await WsBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(WsConfigs.Relay(backend.Address));
        using var client = new ClientWebSocket();
        await client.ConnectAsync(new Uri($"ws://{edge.Endpoint}/ws/echo"), default);
        await EchoAsync(client, "before");

        var reloaded = await edge.ReloadAsync(WsConfigs.Relay(backend.Address, "enabled: true, maxMessageBytes: 2KiB"));
        Assert.True(reloaded.Ok, string.Join("; ", reloaded.Errors));
        await EchoAsync(client, "after one reload");

        reloaded = await edge.ReloadAsync(WsConfigs.Relay(backend.Address, "enabled: false"));
        Assert.True(reloaded.Ok, string.Join("; ", reloaded.Errors));
        await EchoAsync(client, "after websocket was disabled");
        // The open connection keeps the limits it started with (a 3000-byte message passes the reloaded 2 KiB limit)...
        await EchoAsync(client, new string('x', 3000));
        // ...while new handshakes see the new config.
        using var refused = await RawWebSocket.ConnectAsync(edge.Endpoint, "/ws/echo");
        Assert.Equal(400, refused.Status);

        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", default);
        Assert.Equal("close 1000 bye", backend.NextEnd());
    }

    [Fact]
    public async Task Shutdown_sends_1001_to_both_sides()
    {
        await using var backend = await WsBackend.StartAsync();
        var edge = await EdgeInstance.StartAsync(WsConfigs.Relay(backend.Address));
        using var client = new ClientWebSocket();
        await client.ConnectAsync(new Uri($"ws://{edge.Endpoint}/ws/echo"), default);
        await EchoAsync(client, "hello");
        var receive = client.ReceiveAsync(new byte[256], default);

        var stopping = Task.Run(async () => await edge.DisposeAsync());
        var received = await receive.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(WebSocketMessageType.Close, received.MessageType);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, client.CloseStatus); // 1001 going away
        Assert.Equal("server shutting down", client.CloseStatusDescription);
        Assert.Equal("close 1001 server shutting down", backend.NextEnd());
        await stopping.WaitAsync(TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task The_edge_pings_quiet_peers_and_a_peer_that_answers_stays_connected()
    {
        await using var backend = await WsBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(WsConfigs.Relay(backend.Address, "enabled: true, pingInterval: 1s, idleTimeout: 3s"));
        using var client = new ClientWebSocket();
        client.Options.KeepAliveInterval = TimeSpan.Zero;
        await client.ConnectAsync(new Uri($"ws://{edge.Endpoint}/ws/echo"), default);
        // A pending receive lets ClientWebSocket answer the edge's pings; the backend's receive loop does the same.
        var buffer = new byte[256];
        var receive = client.ReceiveAsync(buffer, default);
        await Task.Delay(TimeSpan.FromSeconds(5));
        Assert.False(receive.IsCompleted);
        Assert.Equal(WebSocketState.Open, client.State);
        await client.SendAsync("still here"u8.ToArray(), WebSocketMessageType.Text, true, default);
        var received = await receive.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(WebSocketMessageType.Text, received.MessageType);
        Assert.Equal("still here", Encoding.UTF8.GetString(buffer, 0, received.Count));
        Assert.Matches("edge_websocket_pings_total\\{route=\"ws\"\\} [2-9]", await AdminClient.GetAsync(edge, "/metrics"));
    }

    [Fact]
    public async Task A_peer_that_never_answers_pings_is_closed_with_1001_after_the_idle_timeout()
    {
        await using var backend = await WsBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(WsConfigs.Relay(backend.Address, "enabled: true, pingInterval: 1s, idleTimeout: 3s"));
        using var ws = await RawWebSocket.ConnectAsync(edge.Endpoint, "/ws/echo");
        var started = DateTime.UtcNow;
        var pings = 0;
        RawWebSocket.Frame? frame;
        while ((frame = await ws.ReadFrameAsync()) is not null && frame.Opcode != 8)
        {
            if (frame.Opcode == 9) pings++;
        }
        Assert.NotNull(frame);
        Assert.Equal(1001, frame.CloseCode);
        Assert.StartsWith("idle timeout (client silent)", frame.Text);
        Assert.True(pings >= 1, $"expected pings before the idle close, saw {pings}");
        Assert.InRange((DateTime.UtcNow - started).TotalSeconds, 2.5, 8);
        Assert.StartsWith("close 1001 idle timeout", backend.NextEnd());
    }
}
