using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using EdgeServer.EndToEnd.Tests.Infrastructure;
using EdgeServer.Upstream.Transport;

namespace EdgeServer.EndToEnd.Tests.WebSockets;

/// <summary>
/// The relay on a plain backend's own socket (no upstream pipes after the 101): large messages both ways, bytes the
/// backend wrote right behind its 101, frames split across receives, a backend that ends in the middle of a frame,
/// a client that leaves while a send to a backend that stopped reading waits, and idle relays that hold no buffer.
/// </summary>
public sealed class StraightRelayTests
{
    [Fact]
    public async Task Large_fragmented_messages_cross_both_ways_intact()
    {
        await using var backend = await WsBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(WsConfigs.Relay(backend.Address, "enabled: true, maxMessageBytes: 8MiB, maxFrameBytes: 8MiB"));
        using var client = new ClientWebSocket();
        client.Options.KeepAliveInterval = TimeSpan.Zero;
        await client.ConnectAsync(new Uri($"ws://{edge.Endpoint}/ws/echo"), default);

        var random = new Random(6);
        var messages = Enumerable.Range(0, 3).Select(_ =>
        {
            var message = new byte[3 * 1024 * 1024 + random.Next(1000)];
            random.NextBytes(message);
            return message;
        }).ToArray();
        // Sent while the echoes come back: both directions busy at once, frames of uneven sizes.
        var sending = Task.Run(async () =>
        {
            foreach (var message in messages)
            {
                for (var offset = 0; offset < message.Length;)
                {
                    var size = Math.Min(message.Length - offset, 1 + random.Next(300_000));
                    await client.SendAsync(message.AsMemory(offset, size), WebSocketMessageType.Binary, offset + size == message.Length, default);
                    offset += size;
                }
            }
        });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var buffer = new byte[1 << 20];
        foreach (var expected in messages)
        {
            var received = new MemoryStream();
            while (true)
            {
                var part = await client.ReceiveAsync(buffer, cts.Token);
                Assert.Equal(WebSocketMessageType.Binary, part.MessageType);
                received.Write(buffer, 0, part.Count);
                if (part.EndOfMessage) break;
            }
            Assert.Equal(expected, received.ToArray());
        }
        await sending;
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", default);
        Assert.Equal("close 1000 done", backend.NextEnd());
        await WebSocketRelayTests.WaitForOpenAsync(edge, 0);
    }

    [Fact]
    public async Task Frames_written_right_behind_the_101_and_frames_split_across_receives_arrive_whole()
    {
        var late = ScriptedWsBackend.ServerFrame(1, "late"u8.ToArray());
        var ping = ScriptedWsBackend.ServerFrame(9, "twenty bytes of ping"u8.ToArray());
        // In the 101's own write: a whole frame, then the first byte of the next one's header.
        byte[] behind = [.. ScriptedWsBackend.ServerFrame(1, "early"u8.ToArray()), late[0]];
        await using var backend = ScriptedWsBackend.Start(async socket =>
        {
            await Task.Delay(300);
            await socket.SendAsync(late.AsMemory(1));
            // A control frame in two receives: the relay holds its first half until the rest comes.
            await socket.SendAsync(ping.AsMemory(0, 9));
            await Task.Delay(300);
            await socket.SendAsync(ping.AsMemory(9));
            while (await socket.ReceiveAsync(new byte[4096]) > 0) { }
        }, behind);
        await using var edge = await EdgeInstance.StartAsync(WsConfigs.Relay(backend.Address));
        using var ws = await RawWebSocket.ConnectAsync(edge.Endpoint, "/ws/");
        Assert.Equal(101, ws.Status);

        Assert.Equal("early", (await ws.ReadFrameAsync())?.Text);
        Assert.Equal("late", (await ws.ReadFrameAsync())?.Text);
        var relayedPing = await ws.ReadFrameAsync();
        Assert.Equal(9, relayedPing?.Opcode);
        Assert.Equal("twenty bytes of ping", relayedPing?.Text);
    }

    [Fact]
    public async Task A_backend_that_ends_in_the_middle_of_a_frame_gets_the_client_disconnected_without_a_close_frame()
    {
        var frame = ScriptedWsBackend.ServerFrame(2, new byte[100_000]);
        await using var backend = ScriptedWsBackend.Start(async socket =>
        {
            await socket.SendAsync(frame.AsMemory(0, 10_000));
            await Task.Delay(200);
            socket.Shutdown(SocketShutdown.Both);
            socket.Close();
        });
        await using var edge = await EdgeInstance.StartAsync(WsConfigs.Relay(backend.Address));
        using var ws = await RawWebSocket.ConnectAsync(edge.Endpoint, "/ws/");
        Assert.Equal(101, ws.Status);

        // A close frame would land inside the frame's payload: the client is only disconnected.
        Assert.True(await ws.IsClosedByServerAsync());
        await WebSocketRelayTests.WaitForOpenAsync(edge, 0);
        var metrics = await AdminClient.GetAsync(edge, "/metrics");
        Assert.Contains("edge_websocket_closes_total{route=\"ws\",code=\"none\"} 1", metrics);
    }

    [Fact]
    public async Task A_client_that_leaves_while_a_send_to_a_backend_that_stopped_reading_waits_ends_the_relay()
    {
        var backendSawEnd = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var backend = ScriptedWsBackend.Start(async socket =>
        {
            // Reads nothing for 12 s, so the edge's send to it waits; then takes everything until the edge's close.
            await Task.Delay(TimeSpan.FromSeconds(12));
            long total = 0;
            try
            {
                int n;
                while ((n = await socket.ReceiveAsync(new byte[1 << 16])) > 0) total += n;
            }
            catch (SocketException)
            {
                // A reset is an end too.
            }
            backendSawEnd.TrySetResult(total);
        });
        await using var edge = await EdgeInstance.StartAsync(WsConfigs.Relay(backend.Address, "enabled: true, pingInterval: 1s, idleTimeout: 2s"));
        var ws = await RawWebSocket.ConnectAsync(edge.Endpoint, "/ws/");
        Assert.Equal(101, ws.Status);

        var frame = RawWebSocket.ClientFrame(2, new byte[512 * 1024]);
        var sending = Task.Run(async () =>
        {
            for (var i = 0; i < 128; i++) await ws.SendRawAsync(frame);
        });
        // The client fills every buffer on the way (its send stalls), then leaves.
        await Task.WhenAny(sending, Task.Delay(TimeSpan.FromSeconds(3)));
        Assert.False(sending.IsCompleted, "64 MiB went through to a backend that reads nothing");
        ws.Dispose();

        // Idle timeout (2 s), then the close deadline (3 s) cuts the upstream under the pending send.
        for (var i = 0; i < 200 && !(await AdminClient.GetAsync(edge, "/metrics")).Contains("edge_websocket_connections_open{route=\"ws\"} 0\n", StringComparison.Ordinal); i++)
        {
            await Task.Delay(50);
        }
        Assert.Contains("edge_websocket_connections_open{route=\"ws\"} 0\n", await AdminClient.GetAsync(edge, "/metrics"));
        await backendSawEnd.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await Assert.ThrowsAnyAsync<Exception>(() => sending);
    }
}

/// <summary>
/// Counts the process-wide block pool, so it runs alone: a test in another class relaying a large message at the same
/// time would hold blocks too.
/// </summary>
[CollectionDefinition(nameof(BlockPoolCounting), DisableParallelization = true)]
public sealed class BlockPoolCounting;

[Collection(nameof(BlockPoolCounting))]
public sealed class StraightRelayIdleTests
{
    [Fact]
    public async Task Idle_relays_hold_no_block_of_either_side()
    {
        await using var backend = await WsBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(WsConfigs.Relay(backend.Address));
        var clients = new List<ClientWebSocket>();
        var before = BlockMemoryPool.Shared.Leased;
        for (var i = 0; i < 10; i++)
        {
            var client = new ClientWebSocket();
            client.Options.KeepAliveInterval = TimeSpan.Zero;
            await client.ConnectAsync(new Uri($"ws://{edge.Endpoint}/ws/echo"), default);
            // A 40 KB echo: the receives into the client's output pipe span blocks.
            await client.SendAsync(Encoding.ASCII.GetBytes(new string('x', 40_000)), WebSocketMessageType.Text, true, default);
            var got = 0;
            ValueWebSocketReceiveResult received;
            var buffer = new byte[64 * 1024];
            do
            {
                received = await client.ReceiveAsync(buffer.AsMemory(got), default);
                got += received.Count;
            } while (!received.EndOfMessage);
            Assert.Equal(40_000, got);
            // Then a small echo that arrives in one segment. A burst of segments can leave a stale readiness event
            // behind in .NET's socket engine, and Kestrel's transport then waits for the next bytes with a block
            // rented (its zero-byte wait completed spuriously); the next bytes settle that receive. What is counted
            // below is what the relay holds, not that transport race.
            await client.SendAsync("settle"u8.ToArray(), WebSocketMessageType.Text, true, default);
            received = await client.ReceiveAsync(buffer.AsMemory(), default);
            Assert.Equal("settle", Encoding.ASCII.GetString(buffer, 0, received.Count));
            clients.Add(client);
        }
        // Ten idle relays: the client's transport and the upstream socket wait with zero-byte receives, holding no 32 KiB block.
        var leased = 0;
        for (var i = 0; i < 50; i++)
        {
            leased = BlockMemoryPool.Shared.Leased - before;
            if (leased <= 0) break;
            await Task.Delay(100);
        }
        Assert.True(leased <= 0, $"{leased} blocks held by 10 idle relays");
        foreach (var client in clients) client.Dispose();
    }
}
