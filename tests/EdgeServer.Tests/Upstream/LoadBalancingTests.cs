using EdgeServer.Config.Model;
using EdgeServer.Upstream;

namespace EdgeServer.Tests.Upstream;

public sealed class LoadBalancingTests
{
    private static UpstreamCluster Cluster(LoadBalancingPolicy policy, params DnsOrIpEndPoint[] destinations) =>
        new(TestClusters.Config(destinations) with
        {
            LoadBalancing = policy,
            PassiveHealth = new PassiveHealthConfig { ConsecutiveFailures = 1, EjectDuration = TimeSpan.FromMinutes(1) },
        }, new FakeTimeProvider());

    private static Dictionary<Destination, int> Count(UpstreamCluster cluster, int picks, Destination? exclude = null)
    {
        var counts = new Dictionary<Destination, int>();
        foreach (var destination in cluster.Destinations) counts[destination] = 0;
        for (var i = 0; i < picks; i++) counts[cluster.Pick(exclude)!]++;
        return counts;
    }

    [Fact]
    public async Task Round_robin_spreads_evenly_over_three_destinations()
    {
        await using var cluster = Cluster(LoadBalancingPolicy.RoundRobin, TestClusters.Unused(3));
        var counts = Count(cluster, 300);
        Assert.All(counts.Values, n => Assert.Equal(100, n));
    }

    [Fact]
    public async Task Round_robin_skips_an_unhealthy_destination_and_shares_its_turns_evenly()
    {
        await using var cluster = Cluster(LoadBalancingPolicy.RoundRobin, TestClusters.Unused(3));
        cluster.Destinations[1].ReportFailure();

        var counts = Count(cluster, 300);
        Assert.Equal(150, counts[cluster.Destinations[0]]);
        Assert.Equal(0, counts[cluster.Destinations[1]]);
        Assert.Equal(150, counts[cluster.Destinations[2]]);
    }

    [Theory]
    [InlineData(LoadBalancingPolicy.RoundRobin)]
    [InlineData(LoadBalancingPolicy.PowerOfTwoChoices)]
    public async Task Pick_returns_null_when_every_destination_is_down(LoadBalancingPolicy policy)
    {
        await using var cluster = Cluster(policy, TestClusters.Unused(3));
        foreach (var destination in cluster.Destinations) destination.ReportFailure();
        Assert.Null(cluster.Pick());
        Assert.Null(cluster.Pick(cluster.Destinations[0]));
    }

    [Theory]
    [InlineData(LoadBalancingPolicy.RoundRobin)]
    [InlineData(LoadBalancingPolicy.PowerOfTwoChoices)]
    public async Task Excluded_destination_is_avoided_while_another_is_healthy(LoadBalancingPolicy policy)
    {
        await using var cluster = Cluster(policy, TestClusters.Unused(3));
        var failed = cluster.Destinations[0];

        var counts = Count(cluster, 200, exclude: failed);
        Assert.Equal(0, counts[failed]);
        Assert.True(counts[cluster.Destinations[1]] > 0);
        Assert.True(counts[cluster.Destinations[2]] > 0);
    }

    [Theory]
    [InlineData(LoadBalancingPolicy.RoundRobin)]
    [InlineData(LoadBalancingPolicy.PowerOfTwoChoices)]
    public async Task Excluded_destination_is_still_picked_when_it_is_the_only_healthy_one(LoadBalancingPolicy policy)
    {
        await using var cluster = Cluster(policy, TestClusters.Unused(2));
        cluster.Destinations[1].ReportFailure();
        Assert.Same(cluster.Destinations[0], cluster.Pick(cluster.Destinations[0]));
    }

    [Fact]
    public async Task Power_of_two_choices_never_picks_the_most_loaded_of_three()
    {
        await using var busy = new TestBackend();
        var idle = TestClusters.Unused(2);
        await using var cluster = Cluster(LoadBalancingPolicy.PowerOfTwoChoices, busy.EndPoint, idle[0], idle[1]);
        var loaded = cluster.Destinations[0];
        var leases = new List<UpstreamConnection>();
        for (var i = 0; i < 3; i++) leases.Add(await loaded.AcquireAsync(CancellationToken.None));
        Assert.Equal(3, loaded.InFlight);

        // Any pair including the loaded one has a less loaded partner, so it never wins.
        var counts = Count(cluster, 300);
        Assert.Equal(0, counts[loaded]);
        Assert.True(counts[cluster.Destinations[1]] > 0);
        Assert.True(counts[cluster.Destinations[2]] > 0);

        foreach (var lease in leases) loaded.Release(lease, reusable: true);
        Assert.True(Count(cluster, 300)[loaded] > 0);
    }

    [Fact]
    public async Task Power_of_two_choices_with_two_destinations_always_takes_the_less_loaded()
    {
        await using var busy = new TestBackend();
        await using var cluster = Cluster(LoadBalancingPolicy.PowerOfTwoChoices, busy.EndPoint, TestClusters.Unused(1)[0]);
        var lease = await cluster.Destinations[0].AcquireAsync(CancellationToken.None);

        Assert.Equal(100, Count(cluster, 100)[cluster.Destinations[1]]);
        cluster.Destinations[0].Release(lease, reusable: true);
    }

    [Fact]
    public async Task Clusters_larger_than_the_stack_candidate_list_work()
    {
        await using var cluster = Cluster(LoadBalancingPolicy.RoundRobin, TestClusters.Unused(100));
        var counts = Count(cluster, 1000);
        Assert.All(counts.Values, n => Assert.Equal(10, n));
    }
}
