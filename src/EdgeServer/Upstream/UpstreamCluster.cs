using EdgeServer.Config.Model;
using EdgeServer.Protocol.Http1;

namespace EdgeServer.Upstream;

/// <summary>A cluster at run time: destinations, load balancing, health checks. Survives reloads while its config is unchanged.</summary>
internal sealed class UpstreamCluster : IAsyncDisposable
{
    private readonly Destination[] _destinations;
    private readonly LoadBalancer _balancer;
    private readonly ITimer _idleSweep;
    private readonly ActiveHealthChecker? _activeHealth;
    private int _disposed;

    public UpstreamCluster(
        ClusterConfig config,
        TimeProvider? timeProvider = null,
        UpstreamConnectionFactory? connectionFactory = null,
        HttpParserLimits? responseLimits = null)
    {
        Config = config;
        var time = timeProvider ?? TimeProvider.System;
        _destinations = new Destination[config.Destinations.Count];
        for (var i = 0; i < _destinations.Length; i++)
            _destinations[i] = new Destination(config.Destinations[i], config, time, connectionFactory, responseLimits);
        _balancer = new LoadBalancer(config.LoadBalancing, _destinations);

        // Health checker first: it is the part that can reject its settings, and nothing is running yet.
        if (config.ActiveHealth is { } active) _activeHealth = new ActiveHealthChecker(active, _destinations, time);
        var sweepPeriod = SweepPeriod(config.IdleTimeout);
        _idleSweep = time.CreateTimer(static state => ((UpstreamCluster)state!).SweepIdle(), this, sweepPeriod, sweepPeriod);
    }

    public ClusterConfig Config { get; }
    public string Name => Config.Name;
    public IReadOnlyList<Destination> Destinations => _destinations;

    /// <summary>Completed active health rounds; 0 when active health is off.</summary>
    public long ActiveHealthRounds => _activeHealth?.Rounds ?? 0;

    /// <summary>A healthy destination by the cluster's policy, other than <paramref name="exclude"/> when possible; null when none is healthy.</summary>
    public Destination? Pick(Destination? exclude = null) => _balancer.Pick(exclude);

    /// <summary>Pool and health gauges of every destination.</summary>
    public void CollectStats(ICollection<DestinationStats> into)
    {
        foreach (var destination in _destinations) into.Add(destination.GetStats(Name));
    }

    /// <summary>
    /// An idle connection lives at most IdleTimeout plus one sweep period: half the timeout, between
    /// 10 ms (tests use tiny timeouts) and 5 s (no need to wake more often for the 50 s default).
    /// </summary>
    private static TimeSpan SweepPeriod(TimeSpan idleTimeout) =>
        TimeSpan.FromTicks(Math.Clamp(idleTimeout.Ticks / 2, TimeSpan.FromMilliseconds(10).Ticks, TimeSpan.FromSeconds(5).Ticks));

    private void SweepIdle()
    {
        foreach (var destination in _destinations) destination.SweepIdle();
    }

    /// <summary>
    /// Retires the cluster: health checks stop, idle connections close, and connections still leased
    /// close when released (their requests finish). Picking and acquiring keep working for requests of
    /// an older config snapshot, but nothing is pooled any more.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _idleSweep.DisposeAsync().ConfigureAwait(false);
        if (_activeHealth is not null) await _activeHealth.DisposeAsync().ConfigureAwait(false);
        var retirements = new Task[_destinations.Length];
        for (var i = 0; i < _destinations.Length; i++) retirements[i] = _destinations[i].RetireAsync();
        await Task.WhenAll(retirements).ConfigureAwait(false);
    }
}
