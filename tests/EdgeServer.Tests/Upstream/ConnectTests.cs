using System.Net;
using System.Net.Sockets;
using EdgeServer.Config.Model;
using EdgeServer.Upstream;

namespace EdgeServer.Tests.Upstream;

public sealed class ConnectTests
{
    [Fact]
    public async Task Refused_port_fails_with_a_bad_gateway_connect_error()
    {
        var port = FreePort();
        await using var cluster = new UpstreamCluster(TestClusters.Config(new DnsOrIpEndPoint("127.0.0.1", port)) with
        {
            ConnectTimeout = TimeSpan.FromMinutes(1), // so only a prompt refusal can finish within the test limit
        });
        var destination = cluster.Destinations[0];

        var error = await Assert.ThrowsAsync<UpstreamConnectException>(
            () => Eventually.WithinLimit(destination.AcquireAsync(CancellationToken.None).AsTask()));

        Assert.False(error.TimedOut);
        Assert.Contains("ConnectionRefused", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, destination.InFlight);
        Assert.Equal(0, destination.OpenConnections);
    }

    [Fact]
    public async Task Backend_that_never_answers_the_handshake_times_out()
    {
        // A listener that never accepts, with its accept queue filled: Linux then drops further SYNs,
        // so the next connect hangs until our timeout.
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        var fillers = await FillAcceptQueueAsync(port);
        try
        {
            await using var cluster = new UpstreamCluster(TestClusters.Config(new DnsOrIpEndPoint("127.0.0.1", port)) with
            {
                ConnectTimeout = TimeSpan.FromMilliseconds(300),
            });
            var destination = cluster.Destinations[0];

            var error = await Assert.ThrowsAsync<UpstreamConnectException>(
                () => Eventually.WithinLimit(destination.AcquireAsync(CancellationToken.None).AsTask()));

            Assert.True(error.TimedOut);
            Assert.Equal(0, destination.InFlight);
            Assert.Equal(0, destination.OpenConnections);
        }
        finally
        {
            foreach (var filler in fillers) filler.Dispose();
        }
    }

    [Fact]
    public async Task Host_names_are_resolved_at_connect_time_trying_each_address()
    {
        // "localhost" may resolve to ::1 first, where nothing listens: the IPv4 address must be tried next.
        await using var backend = new TestBackend();
        await using var cluster = new UpstreamCluster(TestClusters.Config(new DnsOrIpEndPoint("localhost", backend.Port)));
        var destination = cluster.Destinations[0];

        var connection = await Eventually.WithinLimit(destination.AcquireAsync(CancellationToken.None).AsTask());
        await backend.NextAcceptedAsync();
        destination.Release(connection, reusable: true);
        Assert.Equal(1, destination.IdleConnections);
    }

    [Fact]
    public async Task Unknown_host_name_is_a_connect_error_not_a_timeout()
    {
        await using var cluster = new UpstreamCluster(TestClusters.Config(new DnsOrIpEndPoint("no-such-host.invalid", 80)));
        var error = await Assert.ThrowsAsync<UpstreamConnectException>(
            () => Eventually.WithinLimit(cluster.Destinations[0].AcquireAsync(CancellationToken.None).AsTask()));
        Assert.False(error.TimedOut);
    }

    private static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    /// <summary>Connects until one connect is left hanging (the accept queue is full); returns every socket to keep them.</summary>
    private static async Task<List<Socket>> FillAcceptQueueAsync(int port)
    {
        var sockets = new List<Socket>();
        for (var i = 0; i < 64; i++)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            sockets.Add(socket);
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            try
            {
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), patience.Token);
            }
            catch (OperationCanceledException)
            {
                return sockets; // this one's SYN was dropped: the queue is full
            }
        }
        foreach (var socket in sockets) socket.Dispose();
        throw new InvalidOperationException("the accept queue never filled; cannot provoke a connect timeout here");
    }
}
