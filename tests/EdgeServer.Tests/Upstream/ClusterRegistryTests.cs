using EdgeServer.Config.Model;
using EdgeServer.Upstream;

namespace EdgeServer.Tests.Upstream;

public sealed class ClusterRegistryTests
{
    private static ClusterConfig Config(string name, params DnsOrIpEndPoint[] destinations) =>
        TestClusters.Config(destinations) with { Name = name, Mark = new SourceMark("edge.yaml", 10, 3) };

    /// <summary>The same cluster as written again by a later reload: new objects, new lists, moved in the file.</summary>
    private static ClusterConfig Reloaded(ClusterConfig config) => config with
    {
        Destinations = [.. config.Destinations.Select(d => new DnsOrIpEndPoint(d.Host, d.Port))],
        PassiveHealth = config.PassiveHealth with { },
        Mark = new SourceMark("edge.yaml", 42, 3),
    };

    [Fact]
    public async Task Unchanged_clusters_keep_their_instance_across_a_reload()
    {
        await using var registry = new ClusterRegistry();
        var a = Config("a", TestClusters.Unused(2));
        var b = Config("b", TestClusters.Unused(1));

        var first = registry.Apply([a, b]);
        var second = registry.Apply([Reloaded(a), Reloaded(b)]);

        Assert.Same(first["a"], second["a"]);
        Assert.Same(first["b"], second["b"]);
        Assert.Same(second, registry.Current);
    }

    [Fact]
    public async Task Changed_cluster_is_replaced_and_the_old_one_retired_and_removed_one_retired()
    {
        await using var backend = new TestBackend();
        await using var registry = new ClusterRegistry();
        var a = Config("a", backend.EndPoint);
        var b = Config("b", backend.EndPoint);
        var first = registry.Apply([a, b]);
        var oldA = first["a"].Destinations[0];
        var oldB = first["b"].Destinations[0];

        // One idle connection and one leased at the moment of the reload, on each old cluster.
        var idleA = await oldA.AcquireAsync(CancellationToken.None);
        var leasedA = await oldA.AcquireAsync(CancellationToken.None);
        oldA.Release(idleA, reusable: true);
        var idleB = await oldB.AcquireAsync(CancellationToken.None);
        oldB.Release(idleB, reusable: true);

        var second = registry.Apply([a with { ConnectTimeout = TimeSpan.FromSeconds(3) }]);

        Assert.NotSame(first["a"], second["a"]);
        Assert.False(second.ContainsKey("b"));
        await Eventually.TrueAsync(() => oldA.IsRetired && oldB.IsRetired, "old clusters retired");
        Assert.Equal(0, oldA.IdleConnections);
        Assert.Equal(0, oldB.IdleConnections);
        Assert.Equal(0, oldB.OpenConnections);
        Assert.Equal(1, oldA.OpenConnections); // the leased one: its request finishes

        oldA.Release(leasedA, reusable: true); // closed on release, never pooled again
        Assert.Equal(0, oldA.IdleConnections);
        Assert.Equal(0, oldA.OpenConnections);
        Assert.False(second["a"].Destinations[0].IsRetired);
    }

    [Fact]
    public async Task New_cluster_is_added_and_stats_cover_every_destination()
    {
        await using var registry = new ClusterRegistry();
        registry.Apply([Config("a", TestClusters.Unused(1))]);
        var map = registry.Apply([Config("a", TestClusters.Unused(1)), Config("b", TestClusters.Unused(2))]);

        Assert.Equal(2, map.Count);
        var stats = new List<DestinationStats>();
        registry.CollectStats(stats);
        Assert.Equal(3, stats.Count);
        Assert.All(stats, s => Assert.True(s.IsHealthy));
        Assert.Equal(2, stats.Count(s => s.Cluster == "b"));
    }

    [Fact]
    public async Task Dispose_retires_every_cluster()
    {
        var registry = new ClusterRegistry();
        var map = registry.Apply([Config("a", TestClusters.Unused(1))]);
        await registry.DisposeAsync();
        Assert.True(map["a"].Destinations[0].IsRetired);
        Assert.Empty(registry.Current);
    }

    [Fact]
    public async Task Duplicate_names_are_rejected_and_the_previous_map_stays()
    {
        await using var registry = new ClusterRegistry();
        var before = registry.Apply([Config("a", TestClusters.Unused(1))]);

        Assert.Throws<ArgumentException>(() => registry.Apply([Config("b", TestClusters.Unused(1)), Config("b", TestClusters.Unused(2))]));
        Assert.Same(before, registry.Current);
        Assert.False(before["a"].Destinations[0].IsRetired);
    }

    [Fact]
    public void Comparer_sees_structure_not_references_or_source_positions()
    {
        var comparer = ClusterConfigComparer.Instance;
        var a = Config("a", new DnsOrIpEndPoint("backend.internal", 8080), new DnsOrIpEndPoint("10.0.0.2", 8080));

        Assert.True(comparer.Equals(a, Reloaded(a)));
        Assert.Equal(comparer.GetHashCode(a), comparer.GetHashCode(Reloaded(a)));
        Assert.True(comparer.Equals(a, a with { Destinations = [new("BACKEND.internal", 8080), new("10.0.0.2", 8080)] }));

        Assert.False(comparer.Equals(a, a with { Destinations = [a.Destinations[1], a.Destinations[0]] }));
        Assert.False(comparer.Equals(a, a with { Destinations = [a.Destinations[0]] }));
        Assert.False(comparer.Equals(a, a with { Destinations = [a.Destinations[0], new("10.0.0.2", 8081)] }));
        Assert.False(comparer.Equals(a, a with { IdleTimeout = TimeSpan.FromSeconds(1) }));
        Assert.False(comparer.Equals(a, a with { ResponseTimeout = TimeSpan.FromSeconds(1) }));
        Assert.False(comparer.Equals(a, a with { MaxIdlePerDestination = 1 }));
        Assert.False(comparer.Equals(a, a with { MaxConnectionsPerDestination = 1 }));
        Assert.False(comparer.Equals(a, a with { LoadBalancing = LoadBalancingPolicy.PowerOfTwoChoices }));
        Assert.False(comparer.Equals(a, a with { PassiveHealth = new PassiveHealthConfig { ConsecutiveFailures = 9 } }));
        Assert.False(comparer.Equals(a, a with { ActiveHealth = new ActiveHealthConfig() }));
        Assert.True(comparer.Equals(a with { ActiveHealth = new ActiveHealthConfig() }, a with { ActiveHealth = new ActiveHealthConfig() }));
        Assert.False(comparer.Equals(a, a with { Name = "b" }));
    }
}
