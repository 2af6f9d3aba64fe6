using EdgeServer.Config.Model;
using EdgeServer.Upstream;

namespace EdgeServer.Tests.Upstream;

public sealed class PassiveHealthTests
{
    private static readonly TimeSpan Eject = TimeSpan.FromSeconds(30);

    private static UpstreamCluster Cluster(FakeTimeProvider time, int failures = 3) =>
        new(TestClusters.Config(TestClusters.Unused(1)) with
        {
            PassiveHealth = new PassiveHealthConfig { ConsecutiveFailures = failures, EjectDuration = Eject },
        }, time);

    [Fact]
    public async Task Consecutive_failures_eject_for_EjectDuration_then_the_destination_is_back()
    {
        var time = new FakeTimeProvider();
        await using var cluster = Cluster(time);
        var destination = cluster.Destinations[0];

        destination.ReportFailure();
        destination.ReportFailure();
        Assert.True(destination.IsHealthy);
        destination.ReportFailure();
        Assert.False(destination.IsHealthy);
        Assert.Null(cluster.Pick());

        time.Advance(Eject - TimeSpan.FromSeconds(1));
        Assert.False(destination.IsHealthy);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(destination.IsHealthy);
        Assert.Same(destination, cluster.Pick());
    }

    [Fact]
    public async Task A_success_resets_the_count()
    {
        var time = new FakeTimeProvider();
        await using var cluster = Cluster(time);
        var destination = cluster.Destinations[0];

        destination.ReportFailure();
        destination.ReportFailure();
        destination.ReportSuccess();
        destination.ReportFailure();
        destination.ReportFailure();
        Assert.True(destination.IsHealthy);
    }

    [Fact]
    public async Task After_an_ejection_one_failure_ejects_again_until_a_success()
    {
        var time = new FakeTimeProvider();
        await using var cluster = Cluster(time);
        var destination = cluster.Destinations[0];
        for (var i = 0; i < 3; i++) destination.ReportFailure();
        time.Advance(Eject);

        destination.ReportFailure(); // half-open: the first failure after the ejection decides
        Assert.False(destination.IsHealthy);
        time.Advance(Eject);

        destination.ReportSuccess(); // closed again: back to needing three in a row
        destination.ReportFailure();
        destination.ReportFailure();
        Assert.True(destination.IsHealthy);
    }

    [Fact]
    public async Task Failures_reported_while_ejected_do_not_extend_the_ejection()
    {
        var time = new FakeTimeProvider();
        await using var cluster = Cluster(time);
        var destination = cluster.Destinations[0];
        for (var i = 0; i < 3; i++) destination.ReportFailure();

        time.Advance(Eject / 2);
        destination.ReportFailure(); // a request that started before the ejection
        time.Advance(Eject / 2);
        Assert.True(destination.IsHealthy);
    }

    [Fact]
    public async Task Zero_consecutive_failures_disables_passive_health()
    {
        var time = new FakeTimeProvider();
        await using var cluster = Cluster(time, failures: 0);
        var destination = cluster.Destinations[0];
        for (var i = 0; i < 100; i++) destination.ReportFailure();
        Assert.True(destination.IsHealthy);
    }
}
