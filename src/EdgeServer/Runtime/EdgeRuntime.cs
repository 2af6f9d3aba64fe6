using EdgeServer.ApiKeys;
using EdgeServer.Config.Model;
using EdgeServer.Observability;
using EdgeServer.RateLimiting;
using EdgeServer.Routing;
using EdgeServer.Upstream;
using EdgeServer.Waf;

namespace EdgeServer.Runtime;

/// <summary>
/// Owns the current <see cref="RuntimeSnapshot"/> and builds new ones. Compiling is pure until the last
/// step, so a config that fails to compile changes nothing; the swap is one reference write.
/// </summary>
internal sealed class EdgeRuntime(EdgeMetrics metrics, ClusterRegistry clusters, WafEngine waf, RateLimitEngine rateLimits, ApiKeyEngine apiKeys)
{
    private RuntimeSnapshot? _current;
    private long _generation;

    public RuntimeSnapshot Current => Volatile.Read(ref _current) ?? throw new InvalidOperationException("no configuration applied yet");

    public ClusterRegistry Clusters => clusters;
    public WafEngine Waf => waf;
    public RateLimitEngine RateLimits => rateLimits;
    public ApiKeyEngine ApiKeys => apiKeys;

    /// <summary>WebSocket relay state kept across reloads (per-route metrics and per-address counts).</summary>
    public EdgeServer.WebSockets.WebSocketRelays WebSockets { get; } = new();

    /// <summary>WebSocket API connections by id and per-route state kept across reloads.</summary>
    public EdgeServer.WebSocketApi.WebSocketApiRegistry WebSocketApis { get; } = new();

    /// <summary>
    /// Things a reload cannot change in a running process (sockets bound at start). Null when the new
    /// config may be applied over the running one.
    /// </summary>
    public string? RestartRequiredReason(EdgeConfig next)
    {
        var running = Volatile.Read(ref _current)?.Config;
        if (running is null) return null;
        if (!running.Listeners.Select(l => (l.Name, l.Address.ToString()))
                .SequenceEqual(next.Listeners.Select(l => (l.Name, l.Address.ToString()))))
        {
            return "listeners changed (names or addresses); restart the server to rebind them";
        }
        var tlsChanged = running.Listeners.Zip(next.Listeners).FirstOrDefault(p => (p.First.Tls is null) != (p.Second.Tls is null));
        if (tlsChanged.First is not null)
        {
            return $"listener '{tlsChanged.First.Name}' {(tlsChanged.First.Tls is null ? "gains" : "loses")} TLS; restart the server to apply it";
        }
        if (running.Admin.Enabled != next.Admin.Enabled || !running.Admin.Address.Equals(next.Admin.Address))
        {
            return "admin listener changed; restart the server to rebind it";
        }
        if (running.Limits.MaxResponseHeaderBytes != next.Limits.MaxResponseHeaderBytes)
        {
            return "limits.maxResponseHeaderBytes changed; pooled upstream connections are sized for it, restart to apply";
        }
        if (running.EchoBackend != next.EchoBackend) return "echoBackend changed; restart the server to apply it";
        if (running.AccessLog != next.AccessLog) return "accessLog changed; restart the server to apply it";
        return null;
    }

    public RuntimeSnapshot Apply(EdgeConfig config)
    {
        var routes = RouteTable.Compile(config.Routes, config.Limits.MaxBodyBytes);
        // The key store is read first (it is the likeliest to fail, being a file) and swapped in last.
        var commitApiKeys = apiKeys.Prepare(config);
        // Rule files first: one that no longer compiles throws here, before clusters change.
        var acls = waf.Apply(config);
        var (limits, commitLimits, abandonLimits) = rateLimits.Prepare(config);
        var entries = new Dictionary<CompiledRoute, RouteEntry>(ReferenceEqualityComparer.Instance);
        try
        {
            var live = clusters.Apply(config.Clusters);
            foreach (var route in routes.Routes)
            {
                var routeConfig = config.Routes.First(r => r.Name == route.Name);
                var cluster = route.ClusterName is { } name ? live[name] : null;
                entries[route] = new RouteEntry(route, metrics.ForRoute(route.Name), cluster, cluster is null ? null : metrics.ForCluster(cluster.Name))
                {
                    Waf = acls.Route(route.Name),
                    RateLimits = limits.Route(route.Name),
                    ApiKey = routeConfig.ApiKey,
                    WebSocket = WebSockets.Compile(routeConfig),
                    WebSocketApi = WebSocketApis.Compile(routeConfig, live),
                };
            }
        }
        catch
        {
            abandonLimits();
            throw;
        }

        // Rate limits first: global usage plans bind to the Redis connection the limits commit.
        commitLimits();
        commitApiKeys();
        var snapshot = new RuntimeSnapshot(Interlocked.Increment(ref _generation), config, routes, entries, acls, limits);
        Volatile.Write(ref _current, snapshot);
        metrics.SetConfigGeneration(snapshot.Generation);
        return snapshot;
    }
}
