using System.IO.Pipelines;
using EdgeServer.Http;
using EdgeServer.Observability;
using EdgeServer.RateLimiting;
using EdgeServer.Routing;
using EdgeServer.Upstream;
using EdgeServer.Waf;

namespace EdgeServer.Runtime;

/// <summary>What the data path needs once a route matched: its action (cluster or mock) and its metric cells.</summary>
internal sealed class RouteEntry(CompiledRoute route, RouteMetrics metrics, UpstreamCluster? cluster, UpstreamMetrics? clusterMetrics)
{
    public CompiledRoute Route { get; } = route;
    public RouteMetrics Metrics { get; } = metrics;
    public UpstreamCluster? Cluster { get; } = cluster;

    /// <summary>The cluster's latency cells, resolved with the snapshot so a request records without a lookup.</summary>
    public UpstreamMetrics? ClusterMetrics { get; } = clusterMetrics;
    public bool IsMock => Route.MockHead is not null;

    /// <summary>The route's request ACL and shadow (none: only the listener's apply).</summary>
    public WafSet Waf { get; init; } = WafSet.None;

    /// <summary>The route's own rate limits (the listener's apply too).</summary>
    public CompiledRateLimit[] RateLimits { get; init; } = [];

    /// <summary>Null: the route needs no API key.</summary>
    public Config.Model.RouteApiKeyConfig? ApiKey { get; init; }

    /// <summary>Null: WebSocket handshakes are refused on this route.</summary>
    public EdgeServer.WebSockets.WebSocketPolicy? WebSocket { get; init; }

    /// <summary>Null: not a WebSocket API route (WebSocketApi/).</summary>
    public EdgeServer.WebSocketApi.WebSocketApiRoute? WebSocketApi { get; init; }

    /// <summary>The route's name as bytes: the key of route-wide limits.</summary>
    public byte[] NameUtf8 { get; } = System.Text.Encoding.ASCII.GetBytes(route.Name);
    public int MockStatus => Route.Mock?.Status ?? 0;

    /// <summary>The mock response: its pre-encoded head, then Date (and Connection: close), then the body unless HEAD.</summary>
    public long WriteMock(PipeWriter output, bool headOnly, bool close)
    {
        var w = new HeadWriter(output);
        w.Write(Route.MockHead);
        w.Write(DateHeader.Line);
        if (close) w.Write("Connection: close\r\n"u8);
        w.WriteCrLf();
        if (!headOnly) w.Write(Route.MockBody);
        w.Commit();
        return w.Written;
    }
}
