using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using EdgeServer.Upstream.Transport;
using Microsoft.AspNetCore.Connections;

namespace EdgeServer.Tests.Upstream.Transport;

public sealed class SocketPipeConnectionTests
{
    [Fact]
    public async Task Large_payloads_cross_both_directions_intact_and_fin_completes_input()
    {
        var (ours, peer) = await ConnectedPairAsync();
        using var _ = peer;
        await using var connection = new SocketPipeConnection(ours);
        var payload = new byte[1024 * 1024 + 17];
        Random.Shared.NextBytes(payload);

        // Several writes before one flush make a multi-segment output buffer: the gathered send path.
        var writes = Task.Run(async () =>
        {
            for (var offset = 0; offset < payload.Length; offset += 10_000)
            {
                connection.Output.Write(payload.AsSpan(offset, Math.Min(10_000, payload.Length - offset)));
                if (offset % 100_000 == 0) await connection.Output.FlushAsync();
            }
            await connection.Output.FlushAsync();
        });
        var echoed = new byte[payload.Length];
        var got = 0;
        while (got < echoed.Length) got += await peer.ReceiveAsync(echoed.AsMemory(got));
        await writes;
        Assert.Equal(payload, echoed);

        await peer.SendAsync(payload);
        peer.Shutdown(SocketShutdown.Send);
        var received = await ReadToEndAsync(connection.Input);
        Assert.Equal(payload, received);
    }

    [Fact]
    public async Task Reset_completes_input_with_an_error()
    {
        var (ours, peer) = await ConnectedPairAsync();
        await using var connection = new SocketPipeConnection(ours);
        peer.LingerState = new LingerOption(true, 0); // close sends RST
        peer.Close();

        await Assert.ThrowsAsync<ConnectionResetException>(async () => await ReadToEndAsync(connection.Input));
    }

    [Fact]
    public async Task Abort_ends_both_loops_and_input_reports_the_abort()
    {
        var (ours, peer) = await ConnectedPairAsync();
        using var _ = peer;
        var connection = new SocketPipeConnection(ours);
        connection.Abort();

        await Assert.ThrowsAsync<ConnectionAbortedException>(async () => await ReadToEndAsync(connection.Input));
        await connection.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, await peer.ReceiveAsync(new byte[1])); // the peer saw our close
    }

    [Fact]
    public async Task Idle_connection_holds_no_block_once_its_input_is_consumed()
    {
        var pool = new BlockMemoryPool();
        var (ours, peer) = await ConnectedPairAsync();
        using var _ = peer;
        await using var connection = new SocketPipeConnection(ours, pool);

        await peer.SendAsync(new byte[100]);
        var result = await connection.Input.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        connection.Input.AdvanceTo(result.Buffer.End);

        // The receive loop is back on its zero-byte wait and the pipe has returned the consumed block.
        await WaitUntilAsync(() => pool.Leased == 0);
    }

    [Fact]
    public async Task Detach_hands_the_socket_over_with_the_unread_bytes_and_gives_every_block_back()
    {
        var pool = new BlockMemoryPool();
        var (ours, peer) = await ConnectedPairAsync();
        using var _ = peer;
        var connection = new SocketPipeConnection(ours, pool);
        await peer.SendAsync("abc"u8.ToArray());
        // Looked at but not consumed, as a response head reader leaves the bytes behind a 101.
        var seen = await connection.Input.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        connection.Input.AdvanceTo(seen.Buffer.Start, seen.Buffer.End);

        var detached = await connection.DetachAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(detached.EndedBeforeDetach);
        var received = detached.TakeReceived()!;
        Assert.Null(detached.TakeReceived());
        Assert.True(received.TryRead(out var rest));
        Assert.Equal("abc"u8.ToArray(), rest.Buffer.ToArray());
        received.AdvanceTo(rest.Buffer.End);
        received.Complete();
        Assert.Equal(0, pool.Leased);

        // The loops are gone: what the peer sends now is read from the socket directly, and what we send reaches it.
        await peer.SendAsync("def"u8.ToArray());
        Assert.True(await detached.WaitAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        var buffer = new byte[16];
        Assert.Equal(3, detached.Receive(buffer));
        Assert.Equal("def"u8.ToArray(), buffer[..3]);
        Assert.Equal(-1, detached.Receive(buffer)); // nothing more there: no wait on a non-blocking socket
        Assert.Equal(3, detached.TrySend("xyz"u8));
        var echoed = new byte[3];
        Assert.Equal(3, await peer.ReceiveAsync(echoed));
        Assert.Equal("xyz"u8.ToArray(), echoed);

        peer.Shutdown(SocketShutdown.Send);
        Assert.True(await detached.WaitAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, detached.Receive(buffer));
        await detached.DisposeAsync();
        Assert.Equal(0, await peer.ReceiveAsync(new byte[1])); // disposal closed the socket
    }

    [Fact]
    public async Task Detach_after_the_peer_ended_says_so_and_keeps_its_last_bytes()
    {
        var (ours, peer) = await ConnectedPairAsync();
        using var _ = peer;
        var connection = new SocketPipeConnection(ours);
        await peer.SendAsync("last"u8.ToArray());
        peer.Shutdown(SocketShutdown.Send);
        ReadResult seen;
        do
        {
            seen = await connection.Input.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            connection.Input.AdvanceTo(seen.Buffer.Start, seen.Buffer.End);
        } while (!seen.IsCompleted);

        var detached = await connection.DetachAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(detached.EndedBeforeDetach);
        var received = detached.TakeReceived()!;
        Assert.True(received.TryRead(out var rest));
        Assert.Equal("last"u8.ToArray(), rest.Buffer.ToArray());
        received.Complete();
        await detached.DisposeAsync();
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++) await Task.Delay(10);
        Assert.True(condition());
    }

    private static async Task<byte[]> ReadToEndAsync(PipeReader input)
    {
        var all = new List<byte>();
        while (true)
        {
            var result = await input.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            all.AddRange(result.Buffer.ToArray());
            input.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted) return [.. all];
        }
    }

    private static async Task<(Socket Ours, Socket Peer)> ConnectedPairAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var ours = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var accepted = listener.AcceptAsync();
        await ours.ConnectAsync(listener.LocalEndPoint!);
        return (ours, await accepted);
    }
}
