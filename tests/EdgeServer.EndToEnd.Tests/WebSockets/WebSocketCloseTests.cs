using System.Net.Sockets;
using EdgeServer.EndToEnd.Tests.Infrastructure;

namespace EdgeServer.EndToEnd.Tests.WebSockets;

/// <summary>
/// The end of a relayed connection with backends that end it abruptly or lazily: the last frames always arrive, and
/// a finished close handshake ends both TCP connections even when the backend would keep its own open.
/// </summary>
public sealed class WebSocketCloseTests
{
    private static RawBackend Backend(Func<Socket, Task> afterHandshake) => new(async socket =>
    {
        var head = await RawBackend.ReadHeadAsync(socket);
        var key = head.Split("\r\n").First(l => l.StartsWith("Sec-WebSocket-Key:", StringComparison.OrdinalIgnoreCase))[18..].Trim();
        await RawBackend.SendAsync(socket, $"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {WebSocketViolationTests.Accept(key)}\r\n\r\n");
        await afterHandshake(socket);
    });

    [Fact]
    public async Task A_message_and_close_sent_together_with_the_end_of_the_stream_all_arrive()
    {
        await using var raw = Backend(async socket =>
        {
            byte[] last = [.. RawWebSocket.ClientFrame(1, "last words"u8.ToArray(), masked: false), .. RawWebSocket.ClientFrame(8, RawWebSocket.ClosePayload(4001, "gone"), masked: false)];
            await socket.SendAsync(last, SocketFlags.None);
            socket.Shutdown(SocketShutdown.Both);
        });
        await using var edge = await EdgeInstance.StartAsync(WsConfigs.Relay(raw.Address));
        using var ws = await RawWebSocket.ConnectAsync(edge.Endpoint, "/ws");
        Assert.Equal(101, ws.Status);
        Assert.Equal("last words", (await ws.ReadFrameAsync())!.Text);
        var close = await ws.ReadFrameAsync();
        Assert.Equal((8, 4001, "gone"), (close!.Opcode, close.CloseCode, close.Text));
        Assert.True(await ws.IsClosedByServerAsync());
    }

    [Fact]
    public async Task A_finished_close_handshake_ends_both_connections_even_if_the_backend_keeps_its_open()
    {
        var backendSawEnd = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var raw = Backend(async socket =>
        {
            var buffer = new byte[256];
            await socket.ReceiveAsync(buffer, SocketFlags.None);   // the client's close
            await socket.SendAsync(RawWebSocket.ClientFrame(8, RawWebSocket.ClosePayload(1000), masked: false), SocketFlags.None);
            // Never closes its side: waits for the edge to do it.
            while (await socket.ReceiveAsync(buffer, SocketFlags.None) > 0) { }
            backendSawEnd.TrySetResult(true);
        });
        await using var edge = await EdgeInstance.StartAsync(WsConfigs.Relay(raw.Address));
        using var ws = await RawWebSocket.ConnectAsync(edge.Endpoint, "/ws");
        var started = DateTime.UtcNow;
        await ws.SendFrameAsync(8, RawWebSocket.ClosePayload(1000, "bye"));
        Assert.Equal(1000, (await ws.ReadFrameAsync())!.CloseCode);
        Assert.True(await ws.IsClosedByServerAsync(5));
        Assert.True(await backendSawEnd.Task.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(2), "the edge should close as soon as both close frames went through");
    }
}
