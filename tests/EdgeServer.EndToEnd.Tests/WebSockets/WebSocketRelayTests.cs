using System.Net.WebSockets;
using System.Text;
using EdgeServer.EndToEnd.Tests.Infrastructure;

namespace EdgeServer.EndToEnd.Tests.WebSockets;

/// <summary>
/// The relay between real peers: .NET's ClientWebSocket through the edge to ASP.NET Core's WebSocket server. Messages,
/// fragments, pings and both close handshakes arrive as sent, and the metrics count them.
/// </summary>
public sealed class WebSocketRelayTests
{
    private static async Task<ClientWebSocket> ConnectAsync(EdgeInstance edge, string path, Action<ClientWebSocketOptions>? options = null)
    {
        var client = new ClientWebSocket();
        client.Options.KeepAliveInterval = TimeSpan.Zero;
        options?.Invoke(client.Options);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await client.ConnectAsync(new Uri($"ws://{edge.Endpoint}{path}"), cts.Token);
        return client;
    }

    private static async Task<(WebSocketMessageType Type, byte[] Data)> ReceiveMessageAsync(WebSocket socket)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[1 << 20];
        var message = new MemoryStream();
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, cts.Token);
            message.Write(buffer, 0, received.Count);
            if (received.EndOfMessage) return (received.MessageType, message.ToArray());
        }
    }

    [Fact]
    public async Task Text_binary_and_fragmented_messages_come_back_through_the_relay()
    {
        await using var backend = await WsBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(WsConfigs.Relay(backend.Address));
        using var client = await ConnectAsync(edge, "/ws/echo", o => o.AddSubProtocol("chat.v1"));
        Assert.Equal("chat.v1", client.SubProtocol);

        await client.SendAsync(Encoding.UTF8.GetBytes("héllo"), WebSocketMessageType.Text, true, default);
        var text = await ReceiveMessageAsync(client);
        Assert.Equal(WebSocketMessageType.Text, text.Type);
        Assert.Equal("héllo", Encoding.UTF8.GetString(text.Data));

        var binary = Enumerable.Range(0, 200_000).Select(i => (byte)i).ToArray();
        await client.SendAsync(binary, WebSocketMessageType.Binary, true, default);
        var back = await ReceiveMessageAsync(client);
        Assert.Equal(WebSocketMessageType.Binary, back.Type);
        Assert.Equal(binary, back.Data);

        // One text message in three frames, a multi-byte character split across two of them.
        var parts = Encoding.UTF8.GetBytes("fragments: ünïcode");
        await client.SendAsync(parts.AsMemory(0, 5), WebSocketMessageType.Text, false, default);
        await client.SendAsync(parts.AsMemory(5, 8), WebSocketMessageType.Text, false, default);
        await client.SendAsync(parts.AsMemory(13), WebSocketMessageType.Text, true, default);
        Assert.Equal("fragments: ünïcode", Encoding.UTF8.GetString((await ReceiveMessageAsync(client)).Data));

        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", default);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, client.CloseStatus);
        Assert.Equal("close 1000 done", backend.NextEnd());

        var metrics = await AdminClient.GetAsync(edge, "/metrics");
        Assert.Contains("edge_websocket_closes_total{route=\"ws\",code=\"1000\"} 1", metrics);
        Assert.Contains("edge_websocket_connections_total{route=\"ws\"} 1", metrics);
        Assert.Matches("edge_websocket_frames_total\\{route=\"ws\",direction=\"client\"\\} [1-9]", metrics);
        Assert.Matches("edge_websocket_bytes_total\\{route=\"ws\",direction=\"upstream\"\\} [1-9][0-9]{5,}", metrics);
        await WaitForOpenAsync(edge, 0);
    }

    [Fact]
    public async Task The_handshake_reaches_the_backend_with_its_websocket_headers()
    {
        await using var backend = await WsBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(WsConfigs.Relay(backend.Address));
        using var client = await ConnectAsync(edge, "/ws/echo", o => o.AddSubProtocol("chat.v2"));
        Assert.True(backend.Handshakes.TryDequeue(out var headers));
        Assert.Equal("13", headers["Sec-WebSocket-Version"].ToString());
        Assert.Equal(24, headers["Sec-WebSocket-Key"].ToString().Length);
        Assert.Equal("chat.v2", headers["Sec-WebSocket-Protocol"].ToString());
        Assert.Equal("websocket", headers["Upgrade"].ToString(), ignoreCase: true);
        Assert.False(string.IsNullOrEmpty(headers["X-Forwarded-For"].ToString()));
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, null, default);
    }

    [Fact]
    public async Task A_ping_from_the_client_is_answered_by_the_backend_through_the_relay()
    {
        await using var backend = await WsBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(WsConfigs.Relay(backend.Address));
        using var ws = await RawWebSocket.ConnectAsync(edge.Endpoint, "/ws/echo");
        Assert.Equal(101, ws.Status);
        await ws.SendFrameAsync(9, "are you there"u8.ToArray());
        var pong = await ws.ReadFrameAsync();
        Assert.NotNull(pong);
        Assert.Equal(10, pong.Opcode);
        Assert.Equal("are you there", pong.Text);
    }

    [Fact]
    public async Task A_server_initiated_close_reaches_the_client_and_its_answer_reaches_the_server()
    {
        await using var backend = await WsBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(WsConfigs.Relay(backend.Address));
        using var client = await ConnectAsync(edge, "/ws/bye");
        Assert.Equal("bye soon", Encoding.UTF8.GetString((await ReceiveMessageAsync(client)).Data));
        var close = await client.ReceiveAsync(new byte[16], default);
        Assert.Equal(WebSocketMessageType.Close, close.MessageType);
        Assert.Equal(4000, (int?)client.CloseStatus);
        Assert.Equal("server says bye", client.CloseStatusDescription);
        await client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "ok", default);
        // The server's CloseAsync completes only when the client's answering close frame arrived through the relay.
        Assert.Equal("close 1000 ok", backend.NextEnd());
        await WaitForOpenAsync(edge, 0);
        Assert.Contains("edge_websocket_closes_total{route=\"ws\",code=\"other\"} 1", await AdminClient.GetAsync(edge, "/metrics"));
    }

    [Fact]
    public async Task The_access_log_has_one_line_per_websocket_connection_with_its_close_code()
    {
        await using var backend = await WsBackend.StartAsync();
        var log = Path.Combine(Path.GetTempPath(), $"edge-ws-{Guid.NewGuid():N}.log");
        var yaml = WsConfigs.Relay(backend.Address).Replace("accessLog:\n  enabled: false", $"accessLog:\n  path: {log}");
        await using (var edge = await EdgeInstance.StartAsync(yaml))
        {
            using var client = await ConnectAsync(edge, "/ws/echo");
            await client.SendAsync("x"u8.ToArray(), WebSocketMessageType.Text, true, default);
            await ReceiveMessageAsync(client);
            await client.CloseAsync(WebSocketCloseStatus.NormalClosure, null, default);
            await WaitForOpenAsync(edge, 0);
        }
        var lines = File.ReadAllLines(log).Where(l => l.Contains("\"path\":\"/ws/echo\"")).ToArray();
        File.Delete(log);
        var line = Assert.Single(lines);
        Assert.Contains("\"status\":101", line);
        Assert.Contains("\"ws_close\":1000", line);
        Assert.Matches("\"bytes_out\":[1-9]", line);
    }

    internal static async Task WaitForOpenAsync(EdgeInstance edge, int open)
    {
        var expected = $"edge_websocket_connections_open{{route=\"ws\"}} {open}\n";
        for (var i = 0; i < 100; i++)
        {
            if ((await AdminClient.GetAsync(edge, "/metrics")).Contains(expected, StringComparison.Ordinal)) return;
            await Task.Delay(50);
        }
        Assert.Contains(expected, await AdminClient.GetAsync(edge, "/metrics"));
    }
}
