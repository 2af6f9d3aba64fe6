using EdgeServer.Observability;
using EdgeServer.Routing;
using EdgeServer.Upstream;

namespace EdgeServer.Runtime;

/// <summary>What the data path needs once a route matched: its action (cluster or mock) and its metric cells.</summary>
internal sealed class RouteEntry(CompiledRoute route, RouteMetrics metrics, UpstreamCluster? cluster, MockResponse? mock)
{
    public CompiledRoute Route { get; } = route;
    public RouteMetrics Metrics { get; } = metrics;
    public UpstreamCluster? Cluster { get; } = cluster;
    public MockResponse? Mock { get; } = mock;
}
