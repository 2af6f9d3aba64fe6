using EdgeServer.Config.Model;
using EdgeServer.Upstream;

namespace EdgeServer.Tests.Upstream;

public sealed class ActiveHealthTests
{
    private static UpstreamCluster Cluster(TestBackend backend) =>
        new(TestClusters.Config(backend.EndPoint) with
        {
            ActiveHealth = new ActiveHealthConfig
            {
                Path = "/healthz",
                Interval = TimeSpan.FromMilliseconds(20),
                Timeout = TimeSpan.FromSeconds(2),
                UnhealthyThreshold = 2,
                HealthyThreshold = 2,
            },
        });

    [Fact]
    public async Task Backend_answering_500_is_marked_down_and_up_again_when_it_recovers()
    {
        await using var backend = new TestBackend(httpStatus: 200);
        await using var cluster = Cluster(backend);
        var destination = cluster.Destinations[0];

        await Eventually.TrueAsync(() => cluster.ActiveHealthRounds >= 3, "three probe rounds");
        Assert.True(destination.IsHealthy);

        backend.HttpStatus = 500;
        await Eventually.TrueAsync(() => !destination.IsHealthy, "marked down after 500s");
        Assert.Null(cluster.Pick());

        backend.HttpStatus = 204;
        await Eventually.TrueAsync(() => destination.IsHealthy, "marked up after 2xx");
        Assert.Same(destination, cluster.Pick());
    }

    [Fact]
    public async Task Backend_that_stops_listening_is_marked_down_and_up_when_it_listens_again()
    {
        await using var backend = new TestBackend(httpStatus: 200);
        await using var cluster = Cluster(backend);
        var destination = cluster.Destinations[0];
        await Eventually.TrueAsync(() => cluster.ActiveHealthRounds >= 1, "a probe round");

        await backend.StopListeningAsync();
        await Eventually.TrueAsync(() => !destination.IsHealthy, "marked down while refused");

        backend.StartListening();
        await Eventually.TrueAsync(() => destination.IsHealthy, "marked up when listening again");
    }

    [Fact]
    public async Task Probes_use_their_own_connections_not_the_pool()
    {
        await using var backend = new TestBackend(httpStatus: 200);
        await using var cluster = Cluster(backend);
        var destination = cluster.Destinations[0];

        await Eventually.TrueAsync(() => cluster.ActiveHealthRounds >= 2, "two probe rounds");
        Assert.True(backend.Accepts >= 2);
        Assert.Equal(0, destination.OpenConnections);
        Assert.Equal(0, destination.IdleConnections);
    }

    [Fact]
    public async Task Dispose_stops_probing()
    {
        await using var backend = new TestBackend(httpStatus: 200);
        var cluster = Cluster(backend);
        await Eventually.TrueAsync(() => cluster.ActiveHealthRounds >= 1, "a probe round");

        await Eventually.WithinLimit(cluster.DisposeAsync().AsTask());
        var rounds = cluster.ActiveHealthRounds;
        var accepts = backend.Accepts;
        await Task.Delay(200); // ten intervals: no new round may start (an absence, not a timing assertion)
        Assert.Equal(rounds, cluster.ActiveHealthRounds);
        // At most the accept of a probe that was cut short by the disposal may still be counted late.
        Assert.InRange(backend.Accepts, accepts, accepts + 1);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\n", 200)]
    [InlineData("HTTP/1.0 302 Found\r\n", 302)]
    [InlineData("HTTP/1.1 503\r\n", 503)]
    public void Status_line_is_parsed(string line, int expected)
    {
        Assert.True(HealthProbe.TryParseStatus(System.Text.Encoding.ASCII.GetBytes(line), out var status));
        Assert.Equal(expected, status);
    }

    [Theory]
    [InlineData("")]
    [InlineData("HTTP/1.1 2")]
    [InlineData("SSH-2.0-OpenSSH\r\n")]
    [InlineData("HTTP/1.1 20x OK\r\n")]
    [InlineData("HTTP/1.1 2000 OK\r\n")]
    public void Garbage_is_not_a_status_line(string line) =>
        Assert.False(HealthProbe.TryParseStatus(System.Text.Encoding.ASCII.GetBytes(line), out _));
}
