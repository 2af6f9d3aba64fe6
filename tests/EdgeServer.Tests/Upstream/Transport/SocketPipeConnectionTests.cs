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
