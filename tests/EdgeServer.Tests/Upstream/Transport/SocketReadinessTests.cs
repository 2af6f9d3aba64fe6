using System.Net;
using System.Net.Sockets;
using EdgeServer.Upstream.Transport;

namespace EdgeServer.Tests.Upstream.Transport;

/// <summary>The zero-byte wait a transport's reader parks on: it consumes nothing, and a wake ends it without cancelling the receive.</summary>
public sealed class SocketReadinessTests
{
    [Fact]
    public async Task A_wake_ends_a_pending_wait_with_false_and_the_next_wait_sees_the_bytes_unconsumed()
    {
        var (ours, peer) = await ConnectedPairAsync();
        using var _ = ours;
        using var __ = peer;
        ours.Blocking = false;
        using var readiness = new SocketReadiness();

        var waiting = readiness.WaitAsync(ours).AsTask();
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted);
        readiness.Wake();
        Assert.False(await waiting.WaitAsync(TimeSpan.FromSeconds(10)));

        // The zero-byte receive stayed queued: the bytes sent now complete it while nobody waits, and the next wait says so.
        await peer.SendAsync("abc"u8.ToArray());
        await Task.Delay(100);
        Assert.True(await readiness.WaitAsync(ours).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        var buffer = new byte[16];
        Assert.Equal(3, ours.Receive(buffer, SocketFlags.None, out var status));
        Assert.Equal(SocketError.Success, status);
        Assert.Equal("abc"u8.ToArray(), buffer[..3]);
    }

    [Fact]
    public async Task A_wake_with_nobody_waiting_ends_the_next_wait_at_once()
    {
        var (ours, peer) = await ConnectedPairAsync();
        using var _ = ours;
        using var __ = peer;
        using var readiness = new SocketReadiness();
        readiness.Wake();
        var first = readiness.WaitAsync(ours);
        Assert.True(first.IsCompleted);
        Assert.False(await first);
        var second = readiness.WaitAsync(ours).AsTask();
        await Task.Delay(100);
        Assert.False(second.IsCompleted);
        peer.Shutdown(SocketShutdown.Send);
        // The peer's end is something to read too (a receive then returns 0).
        Assert.True(await second.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, ours.Receive(new byte[1]));
    }

    internal static async Task<(Socket Ours, Socket Peer)> ConnectedPairAsync()
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
