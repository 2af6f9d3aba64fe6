using System.Net.Sockets;
using EdgeServer.Upstream;

namespace EdgeServer.Tests.Upstream;

public sealed class ConnectionPoolTests
{
    [Fact]
    public async Task Released_connection_is_reused_synchronously_without_a_new_accept()
    {
        await using var backend = new TestBackend();
        await using var cluster = new UpstreamCluster(TestClusters.Config(backend.EndPoint));
        var destination = cluster.Destinations[0];

        var first = await destination.AcquireAsync(CancellationToken.None);
        await backend.NextAcceptedAsync();
        Assert.Equal(0, first.CompletedRequests);
        destination.Release(first, reusable: true);
        Assert.Equal(1, destination.IdleConnections);

        var pending = destination.AcquireAsync(CancellationToken.None);
        Assert.True(pending.IsCompletedSuccessfully);
        var second = await pending; // already complete: no wait

        Assert.Same(first, second);
        Assert.Equal(1, second.CompletedRequests);
        Assert.Equal(1, backend.Accepts);
        Assert.Equal(1, destination.OpenConnections);
        Assert.Equal(0, destination.IdleConnections);
        Assert.Equal(1, destination.InFlight);
        destination.Release(second, reusable: true);
        Assert.Equal(0, destination.InFlight);
    }

    [Fact]
    public async Task Idle_connections_beyond_MaxIdlePerDestination_are_closed()
    {
        await using var backend = new TestBackend();
        await using var cluster = new UpstreamCluster(TestClusters.Config(backend.EndPoint) with { MaxIdlePerDestination = 1 });
        var destination = cluster.Destinations[0];

        var a = await destination.AcquireAsync(CancellationToken.None);
        await backend.NextAcceptedAsync();
        var b = await destination.AcquireAsync(CancellationToken.None);
        var backendSideOfB = await backend.NextAcceptedAsync();
        Assert.Equal(2, destination.OpenConnections);

        destination.Release(a, reusable: true);
        destination.Release(b, reusable: true);

        Assert.Equal(1, destination.IdleConnections);
        Assert.Equal(1, destination.OpenConnections);
        await TestBackend.AssertClosedByPeerAsync(backendSideOfB);
        Assert.Same(a, await destination.AcquireAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Connection_released_as_not_reusable_is_closed_not_pooled()
    {
        await using var backend = new TestBackend();
        await using var cluster = new UpstreamCluster(TestClusters.Config(backend.EndPoint));
        var destination = cluster.Destinations[0];

        var connection = await destination.AcquireAsync(CancellationToken.None);
        var backendSide = await backend.NextAcceptedAsync();
        destination.Release(connection, reusable: false);

        Assert.Equal(0, destination.IdleConnections);
        Assert.Equal(0, destination.OpenConnections);
        Assert.Equal(0, destination.InFlight);
        await TestBackend.AssertClosedByPeerAsync(backendSide);
    }

    [Fact]
    public async Task Idle_connection_closed_by_the_backend_is_discarded_and_replaced()
    {
        await using var backend = new TestBackend();
        await using var cluster = new UpstreamCluster(TestClusters.Config(backend.EndPoint));
        var destination = cluster.Destinations[0];

        var stale = await destination.AcquireAsync(CancellationToken.None);
        var backendSide = await backend.NextAcceptedAsync();
        destination.Release(stale, reusable: true);

        backendSide.Shutdown(SocketShutdown.Both); // the backend's keep-alive timeout, say
        backendSide.Close();
        await TestClusters.PeerActivityVisibleAsync(stale);

        var fresh = await destination.AcquireAsync(CancellationToken.None);
        Assert.NotSame(stale, fresh);
        await backend.NextAcceptedAsync(); // the replacement's accept, counted before the assertion below
        Assert.Equal(2, backend.Accepts);
        Assert.Equal(1, destination.OpenConnections);
        Assert.Equal(0, destination.IdleConnections);
    }

    [Fact]
    public async Task Idle_connection_reset_by_the_backend_is_discarded_and_replaced()
    {
        await using var backend = new TestBackend();
        await using var cluster = new UpstreamCluster(TestClusters.Config(backend.EndPoint));
        var destination = cluster.Destinations[0];

        var stale = await destination.AcquireAsync(CancellationToken.None);
        var backendSide = await backend.NextAcceptedAsync();
        destination.Release(stale, reusable: true);

        backendSide.LingerState = new LingerOption(enable: true, seconds: 0); // close with RST
        backendSide.Close();
        await TestClusters.PeerActivityVisibleAsync(stale);

        var fresh = await destination.AcquireAsync(CancellationToken.None);
        Assert.NotSame(stale, fresh);
        Assert.Equal(1, destination.OpenConnections);
    }

    [Fact]
    public async Task Idle_connection_with_unsolicited_bytes_is_discarded()
    {
        await using var backend = new TestBackend();
        await using var cluster = new UpstreamCluster(TestClusters.Config(backend.EndPoint));
        var destination = cluster.Destinations[0];

        var confused = await destination.AcquireAsync(CancellationToken.None);
        var backendSide = await backend.NextAcceptedAsync();
        destination.Release(confused, reusable: true);

        await backendSide.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"u8.ToArray(), SocketFlags.None);
        await TestClusters.PeerActivityVisibleAsync(confused);

        var fresh = await destination.AcquireAsync(CancellationToken.None);
        Assert.NotSame(confused, fresh);
        Assert.Equal(1, destination.OpenConnections);
        await TestBackend.AssertClosedByPeerAsync(backendSide);
    }

    [Fact]
    public async Task Idle_connections_older_than_IdleTimeout_are_swept_oldest_first()
    {
        var time = new FakeTimeProvider();
        await using var backend = new TestBackend();
        await using var cluster = new UpstreamCluster(
            TestClusters.Config(backend.EndPoint) with { IdleTimeout = TimeSpan.FromSeconds(10) }, time);
        var destination = cluster.Destinations[0];

        var old = await destination.AcquireAsync(CancellationToken.None);
        var backendSideOfOld = await backend.NextAcceptedAsync();
        var recent = await destination.AcquireAsync(CancellationToken.None);
        var backendSideOfRecent = await backend.NextAcceptedAsync();

        destination.Release(old, reusable: true);       // idle since t=0
        time.Advance(TimeSpan.FromSeconds(6));          // sweep at 5 s: nothing is 10 s idle yet
        destination.Release(recent, reusable: true);    // idle since t=6
        Assert.Equal(2, destination.IdleConnections);

        time.Advance(TimeSpan.FromSeconds(4));          // sweep at 10 s: only the older one
        Assert.Equal(1, destination.IdleConnections);
        Assert.Equal(1, destination.OpenConnections);
        await TestBackend.AssertClosedByPeerAsync(backendSideOfOld);

        time.Advance(TimeSpan.FromSeconds(10));         // sweeps at 15 s and 20 s: the other one too
        Assert.Equal(0, destination.IdleConnections);
        Assert.Equal(0, destination.OpenConnections);
        await TestBackend.AssertClosedByPeerAsync(backendSideOfRecent);
    }

    [Fact]
    public async Task At_MaxConnectionsPerDestination_acquire_waits_for_a_release()
    {
        await using var backend = new TestBackend();
        await using var cluster = new UpstreamCluster(TestClusters.Config(backend.EndPoint) with { MaxConnectionsPerDestination = 1 });
        var destination = cluster.Destinations[0];

        var held = await destination.AcquireAsync(CancellationToken.None);
        await backend.NextAcceptedAsync();
        var waiting = destination.AcquireAsync(CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);
        Assert.Equal(2, destination.InFlight);

        destination.Release(held, reusable: true);
        Assert.Same(held, await Eventually.WithinLimit(waiting));
        Assert.Equal(1, backend.Accepts);
    }

    [Fact]
    public async Task At_MaxConnectionsPerDestination_a_closed_connection_frees_a_slot_for_a_waiter()
    {
        await using var backend = new TestBackend();
        await using var cluster = new UpstreamCluster(TestClusters.Config(backend.EndPoint) with { MaxConnectionsPerDestination = 1 });
        var destination = cluster.Destinations[0];

        var held = await destination.AcquireAsync(CancellationToken.None);
        var waiting = destination.AcquireAsync(CancellationToken.None).AsTask();
        destination.Release(held, reusable: false);

        var fresh = await Eventually.WithinLimit(waiting);
        Assert.NotSame(held, fresh);
        Assert.Equal(1, destination.OpenConnections);
    }

    [Fact]
    public async Task At_MaxConnectionsPerDestination_acquire_times_out_after_the_connect_timeout()
    {
        var time = new FakeTimeProvider();
        await using var backend = new TestBackend();
        await using var cluster = new UpstreamCluster(
            TestClusters.Config(backend.EndPoint) with { MaxConnectionsPerDestination = 1, ConnectTimeout = TimeSpan.FromSeconds(5) }, time);
        var destination = cluster.Destinations[0];

        var held = await destination.AcquireAsync(CancellationToken.None);
        var waiting = destination.AcquireAsync(CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.False(waiting.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));

        var error = await Assert.ThrowsAsync<UpstreamConnectException>(() => Eventually.WithinLimit(waiting));
        Assert.True(error.TimedOut);
        Assert.Equal(1, destination.InFlight); // only the held one
        destination.Release(held, reusable: true);
    }

    [Fact]
    public async Task Caller_cancellation_while_waiting_is_not_reported_as_a_connect_failure()
    {
        await using var backend = new TestBackend();
        await using var cluster = new UpstreamCluster(TestClusters.Config(backend.EndPoint) with { MaxConnectionsPerDestination = 1 });
        var destination = cluster.Destinations[0];
        using var clientGone = new CancellationTokenSource();

        var held = await destination.AcquireAsync(CancellationToken.None);
        var waiting = destination.AcquireAsync(clientGone.Token).AsTask();
        await clientGone.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Eventually.WithinLimit(waiting));
        Assert.Equal(1, destination.InFlight);
        destination.Release(held, reusable: true);
    }
}
