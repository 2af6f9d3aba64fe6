using System.Collections.Concurrent;
using EdgeServer.Config.Model;
using EdgeServer.Observability;

namespace EdgeServer.WebSockets;

/// <summary>
/// Process-wide WebSocket relay state: per-route state keyed by route name (so a reload keeps counters and open
/// connections' per-address counts), and the /metrics families.
/// </summary>
internal sealed class WebSocketRelays
{
    private readonly ConcurrentDictionary<string, WebSocketRouteState> _routes = new(StringComparer.Ordinal);

    /// <summary>Compiles a route's settings for a new snapshot; null when the route does not relay WebSockets.</summary>
    public WebSocketPolicy? Compile(RouteConfig route) =>
        route.WebSocket is { Enabled: true } config && route.Cluster is not null
            ? new WebSocketPolicy(config, _routes.GetOrAdd(route.Name, static name => new WebSocketRouteState(name)))
            : null;

    /// <summary>Refusals counted against routes without WebSocket (or unrouted): label route="".</summary>
    public WebSocketMetrics Unrouted { get; } = new(EdgeMetrics.UnroutedRouteLabel);

    /// <summary>The cells a route's refusals count in: its own once it has ever relayed, else the shared ones.</summary>
    public WebSocketMetrics MetricsFor(string? route) =>
        route is not null && _routes.TryGetValue(route, out var state) ? state.Metrics : Unrouted;

    public void Write(PrometheusTextWriter writer)
    {
        var all = new List<WebSocketMetrics>(_routes.Count + 1) { Unrouted };
        foreach (var state in _routes.Values) all.Add(state.Metrics);
        all.Sort(static (a, b) => string.CompareOrdinal(a.Route, b.Route));
        WebSocketMetrics.Write(writer, all);
    }
}
