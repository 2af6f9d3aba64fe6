using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Runtime.CompilerServices;
using EdgeServer.Config.Model;
using EdgeServer.Observability;
using EdgeServer.Upstream;
using EdgeServer.WebSockets;

namespace EdgeServer.WebSocketApi;

/// <summary>
/// Process-wide WebSocket API state: every open API connection by id (what /@connections looks up), per-route state
/// kept across reloads (metrics, per-address counts), one integration client per live cluster, and the once-a-second
/// sweep that drives idle timeouts, pings and stuck writes of every connection.
/// </summary>
internal sealed class WebSocketApiRegistry : IDisposable
{
    /// <summary>Sweep period: timeouts are whole seconds or more, and 10,000 connections take well under a millisecond to visit.</summary>
    private static readonly TimeSpan SweepPeriod = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, WebSocketApiConnection> _connections = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (WebSocketRouteState State, WebSocketApiMetrics Metrics)> _routes = new(StringComparer.Ordinal);
    private readonly ConditionalWeakTable<UpstreamCluster, IntegrationClient> _clients = [];
    private readonly Timer _sweep;

    public WebSocketApiRegistry() => _sweep = new Timer(static state => ((WebSocketApiRegistry)state!).Sweep(), this, SweepPeriod, SweepPeriod);

    public ConnectionsEndpointMetrics Endpoint { get; } = new();

    public int Count => _connections.Count;

    /// <summary>Compiles a route's API for a new snapshot; null when the route is not a WebSocket API.</summary>
    public WebSocketApiRoute? Compile(RouteConfig route, FrozenDictionary<string, UpstreamCluster> clusters)
    {
        if (route.WebSocketApi is not { } api || (api.Cluster ?? route.Cluster) is not { } clusterName) return null;
        var cluster = clusters[clusterName];
        var (state, metrics) = _routes.GetOrAdd(route.Name, static name => (new WebSocketRouteState(name), new WebSocketApiMetrics(name)));
        // A cluster replaced by a reload gets a new client; the old one goes with it (its idle connections time out).
        var client = _clients.GetValue(cluster, static c => new IntegrationClient(c));
        return new WebSocketApiRoute(route.Name, api, cluster, client, new WebSocketPolicy(api.Limits, state), metrics);
    }

    public void Add(WebSocketApiConnection connection) => _connections[connection.Id] = connection;

    public void Remove(WebSocketApiConnection connection) => _connections.TryRemove(new KeyValuePair<string, WebSocketApiConnection>(connection.Id, connection));

    public WebSocketApiConnection? Find(string id) => _connections.GetValueOrDefault(id);

    private void Sweep()
    {
        var now = Environment.TickCount64;
        foreach (var (_, connection) in _connections) connection.OnSweep(now);
    }

    public void Write(PrometheusTextWriter writer)
    {
        var all = _routes.Values.Select(r => r.Metrics).OrderBy(m => m.Route, StringComparer.Ordinal).ToList();
        WebSocketApiMetrics.Write(writer, all);
        Endpoint.Write(writer);
    }

    public void Dispose()
    {
        _sweep.Dispose();
        foreach (var (_, client) in _clients) client.Dispose();
    }
}
