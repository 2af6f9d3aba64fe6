using System.Net.WebSockets;
using System.Text;
using EdgeServer.EndToEnd.Tests.Infrastructure;

namespace EdgeServer.EndToEnd.Tests.WebSockets;

/// <summary>
/// Frames that break RFC 6455 or the route's limits close both sides with the right code: the violator gets it where
/// a frame still fits, the backend (which behaved) always, and the violation is counted by kind.
/// </summary>
public sealed class WebSocketViolationTests
{
    private static async Task<(string Backend, string Metrics)> ExpectCloseAsync(EdgeInstance edge, WsBackend backend, RawWebSocket ws, int code)
    {
        var close = await ws.ReadUntilCloseAsync();
        Assert.NotNull(close);
        Assert.Equal(code, close.CloseCode);
        Assert.True(await ws.IsClosedByServerAsync(), "the edge should close the client connection");
        var end = backend.NextEnd();
        await WebSocketRelayTests.WaitForOpenAsync(edge, 0);
        return (end, await AdminClient.GetAsync(edge, "/metrics"));
    }

    [Fact]
    public async Task An_unmasked_client_frame_closes_both_sides_with_1002()
    {
        await using var backend = await WsBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(WsConfigs.Relay(backend.Address));
        using var ws = await RawWebSocket.ConnectAsync(edge.Endpoint, "/ws/echo");
        Assert.Equal(101, ws.Status);
        await ws.SendTextAsync("first is fine");
        Assert.Equal("first is fine", (await ws.ReadFrameAsync())!.Text);
        await ws.SendFrameAsync(1, "not masked"u8.ToArray(), masked: false);
        var (end, metrics) = await ExpectCloseAsync(edge, backend, ws, 1002);
        Assert.StartsWith("close 1002", end);
        Assert.Contains("edge_websocket_violations_total{route=\"ws\",sender=\"client\",kind=\"unmasked_client_frame\"} 1", metrics);
        Assert.Contains("edge_websocket_closes_total{route=\"ws\",code=\"1002\"} 1", metrics);
    }

    [Fact]
    public async Task A_client_still_sending_after_the_edges_1009_gets_a_clean_end_not_a_reset()
    {
        // Lingering close: the edge refuses the frame at its header and sends 1009 while the client is still sending
        // the payload. Had the edge closed its socket with those bytes unread, the kernel would answer them with a
        // reset (the client's send fails, or its next read, and a close frame not yet read is lost with it).
        await using var backend = await WsBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(WsConfigs.Relay(backend.Address, "enabled: true, maxMessageBytes: 64KiB"));
        using var ws = await RawWebSocket.ConnectAsync(edge.Endpoint, "/ws/echo");
        // More than Kestrel's input pipe takes ahead of the application (1 MiB), so bytes stay in the kernel.
        var frame = RawWebSocket.ClientFrame(2, new byte[4 * 1024 * 1024]);
        await ws.SendRawAsync(frame[..14]); // 2 + 8 length bytes + the mask: enough to judge the size
        var close = await ws.ReadUntilCloseAsync();
        Assert.Equal(1009, close!.CloseCode);

        await ws.SendRawAsync(frame[14..]);
        ws.ShutdownSend();
        Assert.Equal("eof", await ws.ReadEndAsync());
        Assert.StartsWith("close 1009", backend.NextEnd());
    }

    [Fact]
    public async Task Invalid_utf8_text_closes_both_sides_with_1007()
    {
        await using var backend = await WsBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(WsConfigs.Relay(backend.Address));
        using var ws = await RawWebSocket.ConnectAsync(edge.Endpoint, "/ws/echo");
        await ws.SendFrameAsync(1, [(byte)'o', (byte)'k', 0xC3, 0x28]);
        var (end, metrics) = await ExpectCloseAsync(edge, backend, ws, 1007);
        Assert.StartsWith("close 1007", end);
        Assert.Contains("kind=\"invalid_utf8_text\"} 1", metrics);
    }

    [Fact]
    public async Task With_utf8_validation_off_invalid_text_is_relayed_to_the_backend_to_judge()
    {
        await using var backend = await WsBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(WsConfigs.Relay(backend.Address, "enabled: true, validateUtf8: false"));
        using var ws = await RawWebSocket.ConnectAsync(edge.Endpoint, "/ws/echo");
        await ws.SendFrameAsync(1, [(byte)'o', (byte)'k', 0xC3, 0x28]);
        // The frame reaches ASP.NET Core's WebSocket, which refuses it itself (it throws and ends the connection);
        // the edge judged nothing: the client gets the backend's own 1007 if it sent one, else the edge's "peer went away".
        Assert.Equal("aborted", backend.NextEnd());
        var close = await ws.ReadUntilCloseAsync();
        Assert.Contains(close!.CloseCode, new[] { 1001, 1007 });
        Assert.DoesNotContain("client:", close.Text);
        Assert.DoesNotContain("invalid_utf8_text", await AdminClient.GetAsync(edge, "/metrics"));
    }

    [Fact]
    public async Task An_oversize_message_closes_both_sides_with_1009()
    {
        await using var backend = await WsBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(WsConfigs.Relay(backend.Address, "enabled: true, maxFrameBytes: 1KiB, maxMessageBytes: 4KiB"));
        using var client = new ClientWebSocket();
        await client.ConnectAsync(new Uri($"ws://{edge.Endpoint}/ws/echo"), default);
        // Frames within the frame limit, a message over the message limit.
        for (var i = 0; i < 5; i++) await client.SendAsync(new byte[1000], WebSocketMessageType.Binary, i == 4, default);
        var received = await client.ReceiveAsync(new byte[64], new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
        Assert.Equal(WebSocketMessageType.Close, received.MessageType);
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, client.CloseStatus);
        Assert.StartsWith("close 1009", backend.NextEnd());
        await WebSocketRelayTests.WaitForOpenAsync(edge, 0);
        Assert.Contains("kind=\"message_too_big\"} 1", await AdminClient.GetAsync(edge, "/metrics"));

        using var ws = await RawWebSocket.ConnectAsync(edge.Endpoint, "/ws/echo");
        await ws.SendFrameAsync(2, new byte[2000]);
        var (_, metrics) = await ExpectCloseAsync(edge, backend, ws, 1009);
        Assert.Contains("kind=\"frame_too_big\"} 1", metrics);
    }

    [Fact]
    public async Task Messages_over_the_per_connection_rate_close_with_1008()
    {
        await using var backend = await WsBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(WsConfigs.Relay(backend.Address, "enabled: true, messagesPerSecond: 2, messagesBurst: 5"));
        using var ws = await RawWebSocket.ConnectAsync(edge.Endpoint, "/ws/echo");
        for (var i = 0; i < 5; i++) await ws.SendTextAsync($"m{i}");
        for (var i = 0; i < 5; i++) Assert.Equal($"m{i}", (await ws.ReadFrameAsync())!.Text);
        // Control frames are not messages: a ping passes at any rate.
        await ws.SendFrameAsync(9, []);
        Assert.Equal(10, (await ws.ReadFrameAsync())!.Opcode);
        await ws.SendTextAsync("one too many");
        var (end, metrics) = await ExpectCloseAsync(edge, backend, ws, 1008);
        Assert.StartsWith("close 1008", end);
        Assert.Contains("kind=\"refused_by_handler\"} 1", metrics);
    }

    [Fact]
    public async Task A_masked_frame_from_the_backend_closes_both_sides_with_1002()
    {
        // A backend that completes the handshake correctly, then sends a masked (client-style) frame.
        await using var raw = new RawBackend(async socket =>
        {
            var head = await RawBackend.ReadHeadAsync(socket);
            var key = head.Split("\r\n").First(l => l.StartsWith("Sec-WebSocket-Key:", StringComparison.OrdinalIgnoreCase))[18..].Trim();
            await RawBackend.SendAsync(socket, $"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {Accept(key)}\r\n\r\n");
            await socket.SendAsync(RawWebSocket.ClientFrame(1, "masked"u8.ToArray()), System.Net.Sockets.SocketFlags.None);
            var buffer = new byte[256];
            while (await socket.ReceiveAsync(buffer, System.Net.Sockets.SocketFlags.None) > 0) { }
        });
        await using var edge = await EdgeInstance.StartAsync(WsConfigs.Relay(raw.Address));
        using var ws = await RawWebSocket.ConnectAsync(edge.Endpoint, "/ws/echo");
        Assert.Equal(101, ws.Status);
        var close = await ws.ReadUntilCloseAsync();
        Assert.Equal(1002, close!.CloseCode);
        Assert.Contains("upstream: server frame masked", close.Text);
        await WebSocketRelayTests.WaitForOpenAsync(edge, 0);
        Assert.Contains("sender=\"upstream\",kind=\"masked_server_frame\"} 1", await AdminClient.GetAsync(edge, "/metrics"));
    }

    internal static string Accept(string key) =>
        Convert.ToBase64String(System.Security.Cryptography.SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
}
