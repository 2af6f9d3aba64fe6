using System.Collections.Concurrent;
using EdgeServer.Config.Model;
using EdgeServer.Policy.RateLimiting;
using EdgeServer.RateLimiting.Global;

namespace EdgeServer.RateLimiting;

/// <summary>
/// Builds each snapshot's rate limits. A limit whose definition did not change keeps its table of counters
/// across reloads (clients do not get a fresh burst because an operator edited an unrelated route); a changed
/// or new limit starts empty. Global limits are the same tables, bound to the fleet's Redis (<see cref="GlobalLimitEngine"/>).
/// </summary>
internal sealed class RateLimitEngine(TimeProvider clock, GlobalLimitEngine global)
{
    private readonly ConcurrentDictionary<string, RateLimitCounters> _counters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConnectionLimiter> _connections = new(StringComparer.Ordinal);
    private RateLimiterSet? _set;
    private RateLimitAssignments _current = RateLimitAssignments.Empty;

    public TimeProvider Clock => clock;

    public GlobalLimitEngine Global => global;

    public RateLimitAssignments Current => Volatile.Read(ref _current);

    /// <summary>Per-listener connection limiters (listeners cannot change without a restart, so these live as long as the process).</summary>
    public IEnumerable<ConnectionLimiter> ConnectionLimiters => _connections.Values.OrderBy(c => c.Listener, StringComparer.Ordinal);

    public IEnumerable<(string Name, RateLimitCounters Counters)> Counters =>
        _counters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, p.Value));

    /// <summary>
    /// Builds the limits of <paramref name="config"/>. Global limits bind to the config's Redis connection, which is
    /// swapped in only by the returned commit (the reload may still fail after this); abandon discards it.
    /// </summary>
    public (RateLimitAssignments Assignments, Action Commit, Action Abandon) Prepare(EdgeConfig config)
    {
        var set = RateLimiterSet.Build(config.RateLimits.Select(CompiledRateLimit.Definition), clock, _set);
        var redis = global.Prepare(config.Redis);
        var byName = config.RateLimits.ToDictionary(l => l.Name, l =>
        {
            var counters = _counters.GetOrAdd(l.Name, static _ => new RateLimitCounters());
            return l.Global && redis is not null
                ? new CompiledRateLimit(l, set[l.Name], counters, global.Bind(l.Name, set[l.Name], redis), redis)
                : new CompiledRateLimit(l, set[l.Name], counters);
        }, StringComparer.Ordinal);
        var connections = new Dictionary<string, ConnectionLimiter>(StringComparer.Ordinal);
        foreach (var listener in config.Listeners)
        {
            var limiter = _connections.GetOrAdd(listener.Name, name => new ConnectionLimiter(name, clock));
            limiter.Apply(listener.ConnectionLimits);
            connections[listener.Name] = limiter;
        }
        var assignments = new RateLimitAssignments(
            config.Listeners.ToDictionary(l => l.Name, l => l.RateLimits.Select(n => byName[n]).ToArray(), StringComparer.Ordinal),
            config.Routes.ToDictionary(r => r.Name, r => r.RateLimits.Select(n => byName[n]).ToArray(), StringComparer.Ordinal),
            [.. byName.Values], connections);
        return (assignments, Commit, () => global.Abandon(redis));

        void Commit()
        {
            global.Commit(redis);
            global.PublishRateLimits([.. byName.Values.Where(l => l.Global is not null).Select(l => l.Global!)]);
            _set = set;
            Volatile.Write(ref _current, assignments);
        }
    }
}

/// <summary>Which limits each listener and route applies under one snapshot.</summary>
internal sealed class RateLimitAssignments(
    Dictionary<string, CompiledRateLimit[]> listeners, Dictionary<string, CompiledRateLimit[]> routes, CompiledRateLimit[] all,
    Dictionary<string, ConnectionLimiter> connections)
{
    public static RateLimitAssignments Empty { get; } = new([], [], [], []);

    /// <summary>The listener's connection limiter (null without one; it admits everything when it has no limits).</summary>
    public ConnectionLimiter? Connections(string listener) => connections.GetValueOrDefault(listener);

    public CompiledRateLimit[] All { get; } = all;

    public CompiledRateLimit[] Listener(string name) => listeners.GetValueOrDefault(name) ?? [];

    public CompiledRateLimit[] Route(string name) => routes.GetValueOrDefault(name) ?? [];
}
