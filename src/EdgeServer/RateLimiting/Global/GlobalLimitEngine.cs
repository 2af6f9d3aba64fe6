using System.Collections.Concurrent;
using EdgeServer.Config.Model;
using EdgeServer.Policy.RateLimiting;
using EdgeServer.Redis;
using Microsoft.Extensions.Logging;

namespace EdgeServer.RateLimiting.Global;

/// <summary>
/// Everything global limits share: the Redis client built from the 'redis' section, the fleet's key hasher, the
/// global limits of the current snapshot, and the sync loop (<see cref="GlobalLimitSync"/>). A reload that changes
/// the 'redis' section gets a new client; one that keeps it keeps the connection and every limit's sync state.
/// </summary>
internal sealed partial class GlobalLimitEngine(TimeProvider clock, ILogger logger) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, GlobalRateLimit> _byName = new(StringComparer.Ordinal);
    private volatile Connection? _connection;
    private Task _switching = Task.CompletedTask;
    private GlobalRateLimit[] _limits = [];
    private GlobalRateLimit[] _rateLimits = [];
    private GlobalRateLimit[] _planThrottles = [];
    private GlobalQuota[] _quotas = [];

    /// <summary>The Redis client and what was configured for it; replaced as a whole when the section changes.</summary>
    internal sealed class Connection(RedisConfig config, RedisClient client, RateLimitKeyHasher hasher, GlobalLimitSync sync)
    {
        public RedisConfig Config { get; } = config;
        public RedisClient Client { get; } = client;
        public RateLimitKeyHasher Hasher { get; } = hasher;
        public GlobalLimitSync Sync { get; } = sync;
        public bool FailOpen => Config.FailPolicy == RedisFailPolicy.Open;
        public bool Exact => Config.Mode == GlobalLimitMode.Exact;
    }

    public TimeProvider Clock => clock;

    /// <summary>Null when the config has no 'redis' section.</summary>
    public Connection? Current => _connection;

    /// <summary>Global limits of the current snapshot (rate limits, then usage plan throttles): what the sync loop follows.</summary>
    public GlobalRateLimit[] Limits => Volatile.Read(ref _limits);

    /// <summary>Usage plan quotas of global plans.</summary>
    public GlobalQuota[] Quotas => Volatile.Read(ref _quotas);

    /// <summary>
    /// The connection a new snapshot binds its global limits to: the running one when the 'redis' section did not
    /// change, else a new client (already connecting, its sync loop not yet running). Nothing changes for the running
    /// snapshot until <see cref="Commit"/>; a reload that fails later hands it to <see cref="Abandon"/>.
    /// </summary>
    public Connection? Prepare(RedisConfig? config)
    {
        if (_connection?.Config == config) return _connection;
        if (config is null) return null;
        var client = new RedisClient(ClientOptions(config), clock);
        var hasher = RateLimitKeyHasher.FromSecret(Encoding.UTF8.GetBytes(config.KeyPrefix + "\n" + config.Password));
        client.Start();
        return new Connection(config, client, hasher, new GlobalLimitSync(client, config, clock, this, logger));
    }

    /// <summary>Makes <paramref name="prepared"/> the connection in use (the snapshot bound to it is being swapped in).</summary>
    public void Commit(Connection? prepared)
    {
        var previous = _connection;
        if (ReferenceEquals(previous, prepared)) return;
        _connection = prepared;
        _switching = SwitchAsync(previous, prepared);
    }

    /// <summary>A prepared connection whose snapshot was never swapped in.</summary>
    public void Abandon(Connection? prepared)
    {
        if (prepared is not null && !ReferenceEquals(prepared, _connection)) _ = RetireAsync(prepared);
    }

    /// <summary>Stops the previous sync loop, then starts the next; the previous client is retired later.</summary>
    private async Task SwitchAsync(Connection? previous, Connection? next)
    {
        await _switching.ConfigureAwait(false);
        // One sync loop at a time: the spending rings have a single consumer.
        if (previous is not null) await previous.Sync.DisposeAsync().ConfigureAwait(false);
        next?.Sync.Start();
        if (previous is not null) _ = RetireLaterAsync(previous.Client);
    }

    /// <summary>Requests still running on the previous snapshot may be calling its client: retire it once they are done.</summary>
    private async Task RetireLaterAsync(RedisClient client)
    {
        await Task.Delay(TimeSpan.FromSeconds(30), clock).ConfigureAwait(false);
        await client.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>The global state for a limit compiled into <paramref name="limiter"/>: kept while the limiter and connection are (reloads that changed neither).</summary>
    public GlobalRateLimit Bind(string name, KeyedRateLimiter limiter, Connection connection)
    {
        if (_byName.TryGetValue(name, out var existing) && ReferenceEquals(existing.Limiter, limiter) && ReferenceEquals(existing.Hasher, connection.Hasher))
            return existing;
        var created = new GlobalRateLimit(name, limiter, connection.Hasher, connection.Config.KeyPrefix);
        _byName[name] = created;
        return created;
    }

    /// <summary>The snapshot's global rate limits: the sync loop follows these from its next round.</summary>
    public void PublishRateLimits(GlobalRateLimit[] limits)
    {
        _rateLimits = limits;
        Republish();
    }

    /// <summary>The global usage plans' throttles and quotas (API keys commit after rate limits, in the same reload).</summary>
    public void PublishPlans(GlobalRateLimit[] throttles, GlobalQuota[] quotas)
    {
        _planThrottles = throttles;
        Volatile.Write(ref _quotas, quotas);
        Republish();
    }

    /// <summary>A global usage plan's quota, kept while its counters are (reloads that did not change the plan).</summary>
    public GlobalQuota BindQuota(string plan, ApiKeys.QuotaCounters counters, Policy.ApiKeys.QuotaPeriod period, Connection connection)
    {
        foreach (var existing in Quotas)
        {
            if (existing.Plan == plan && ReferenceEquals(existing.Counters, counters) && existing.Period == period && existing.KeyPrefix == connection.Config.KeyPrefix)
                return existing;
        }
        return new GlobalQuota(plan, counters, period, connection.Config.KeyPrefix);
    }

    private void Republish()
    {
        GlobalRateLimit[] all = [.. _rateLimits, .. _planThrottles];
        foreach (var name in _byName.Keys)
        {
            if (!all.Any(l => l.Name == name)) _byName.TryRemove(name, out _);
        }
        Volatile.Write(ref _limits, all);
    }

    public static async Task RetireAsync(Connection? connection)
    {
        if (connection is null) return;
        await connection.Sync.DisposeAsync().ConfigureAwait(false);
        await connection.Client.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Waits (bounded by the connect timeout) for Redis at start, so fail-closed limits do not refuse the first requests.</summary>
    public async Task WaitForRedisAsync()
    {
        if (_connection is not { } connection) return;
        if (!await connection.Client.WaitUntilConnectedAsync(connection.Config.ConnectTimeout).ConfigureAwait(false))
            LogRedisUnavailableAtStart(logger, connection.Config.Address.ToString(), connection.Client.Health.LastError ?? "no answer",
                connection.FailOpen ? "each node limits alone until it answers (fail-open)" : "global limits refuse requests until it answers (fail-closed)");
    }

    public async ValueTask DisposeAsync()
    {
        // A switch in progress starts the current connection's loop: let it, so that disposing stops it.
        await _switching.ConfigureAwait(false);
        var connection = _connection;
        _connection = null;
        await RetireAsync(connection).ConfigureAwait(false);
    }

    private static RedisClientOptions ClientOptions(RedisConfig config) => new()
    {
        Host = config.Address.Host,
        Port = config.Address.Port,
        Password = config.Password,
        Database = config.Database,
        ClientName = $"edge-{Environment.MachineName}-{Environment.ProcessId}",
        ConnectTimeout = config.ConnectTimeout,
        CommandTimeout = config.Timeout,
        // Timeouts are enforced by a sweep: its period is how late past its timeout a call may complete.
        TimeoutResolution = TimeSpan.FromTicks(Math.Clamp(config.Timeout.Ticks / 2, TimeSpan.TicksPerMillisecond, 5 * TimeSpan.TicksPerMillisecond)),
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis at {Address} is not answering at start ({Reason}): {Consequence}")]
    private static partial void LogRedisUnavailableAtStart(ILogger logger, string address, string reason, string consequence);
}
