using System.Collections.Concurrent;
using System.Text;
using EdgeServer.Config.Model;
using EdgeServer.Hosting;
using EdgeServer.Policy.ApiKeys;
using EdgeServer.Policy.RateLimiting;
using EdgeServer.RateLimiting;
using EdgeServer.RateLimiting.Global;
using Microsoft.Extensions.Logging;

namespace EdgeServer.ApiKeys;

/// <summary>
/// The key store and usage plans the data path checks keys against. The store file is watched: keys created or
/// revoked with `edge keys` apply within a moment, without a reload; a store that no longer loads (or names a
/// plan the config lacks) is refused and the running keys stay. Throttle tables and quota counters are kept
/// across reloads for plans that did not change.
/// </summary>
internal sealed partial class ApiKeyEngine(TimeProvider clock, GlobalLimitEngine global, ILogger logger) : IDisposable
{
    private readonly ConcurrentDictionary<string, QuotaCounters> _quotas = new(StringComparer.Ordinal);
    private RateLimiterSet? _throttles;
    private volatile State _state = new(null, ApiKeyStore.Empty, new Dictionary<string, UsagePlan>(StringComparer.Ordinal));
    private FileSetWatcher? _watcher;

    private sealed record State(ApiKeysConfig? Config, ApiKeyStore Store, Dictionary<string, UsagePlan> Plans)
    {
        public byte[]? HeaderName { get; } = Config is null ? null : Encoding.ASCII.GetBytes(Config.Header);
        public byte[]? ForwardHeader { get; } = Config?.ForwardHeader is { } forward ? Encoding.ASCII.GetBytes(forward) : null;
    }

    public TimeProvider Clock => clock;
    public ApiKeyStore Store => _state.Store;
    public byte[]? HeaderName => _state.HeaderName;
    public byte[]? ForwardHeader => _state.ForwardHeader;
    public UsagePlan? Plan(string name) => _state.Plans.GetValueOrDefault(name);

    /// <summary>
    /// Loads the store and builds the plans for <paramref name="config"/> without changing anything (throws if the
    /// store no longer loads); the returned action swaps them in, once the rest of the snapshot compiled too.
    /// </summary>
    public Action Prepare(EdgeConfig config)
    {
        var throttles = RateLimiterSet.Build(
            config.UsagePlans.Where(p => p.ThrottleRate is not null)
                .Select(p => new RateLimitDefinition($"plan:{p.Name}", p.ThrottleRate!.Value.Count, p.ThrottleRate.Value.Period, p.ThrottleBurst, 1_000_000)),
            clock, _throttles);
        var store = ApiKeyStore.Empty;
        if (config.ApiKeys is { } keys)
        {
            var loaded = ApiKeyStoreFile.Load(keys.Store);
            store = loaded.Store ?? throw new InvalidOperationException(string.Join("; ", loaded.Errors));
        }
        return () =>
        {
            // Global plans bind to the Redis connection the rate limits of this same reload already switched to.
            var redis = global.Current;
            var plans = config.UsagePlans.ToDictionary(p => p.Name, p => Plan(p, throttles, redis), StringComparer.Ordinal);
            global.PublishPlans(
                [.. plans.Values.Where(p => p.GlobalThrottle is not null).Select(p => p.GlobalThrottle!)],
                [.. plans.Values.Where(p => p.GlobalQuota is not null).Select(p => p.GlobalQuota!)]);
            _throttles = throttles;
            var previous = _state;
            _state = new State(config.ApiKeys, store, plans);
            if (previous.Config?.Store != config.ApiKeys?.Store)
            {
                _watcher?.Dispose();
                _watcher = config.ApiKeys is { } watched ? new FileSetWatcher([watched.Store], ReloadStore) : null;
            }
        };
    }

    private UsagePlan Plan(UsagePlanConfig config, RateLimiterSet throttles, GlobalLimitEngine.Connection? redis)
    {
        var throttle = config.ThrottleRate is null ? null : throttles[$"plan:{config.Name}"];
        var quota = config.QuotaLimit is null ? null : _quotas.GetOrAdd(config.Name, static _ => new QuotaCounters());
        if (!config.Global || redis is null) return new UsagePlan(config, throttle, quota);
        return new UsagePlan(config, throttle, quota, redis,
            throttle is null ? null : global.Bind($"plan:{config.Name}", throttle, redis),
            quota is null ? null : global.BindQuota(config.Name, quota, config.QuotaPeriod, redis));
    }

    private void ReloadStore()
    {
        var state = _state;
        if (state.Config is null) return;
        var loaded = ApiKeyStoreFile.Load(state.Config.Store);
        var unknownPlan = loaded.Store?.Entries.FirstOrDefault(e => !state.Plans.ContainsKey(e.Plan));
        if (loaded.Store is null || unknownPlan is not null)
        {
            var reason = loaded.Store is null ? string.Join("; ", loaded.Errors) : $"key '{unknownPlan!.Name}' has usage plan '{unknownPlan.Plan}', which the config does not declare";
            LogStoreRefused(logger, state.Config.Store, reason);
            return;
        }
        _state = state with { Store = loaded.Store };
        LogStoreReloaded(logger, state.Config.Store, loaded.Store.Count);
    }

    public void Dispose() => _watcher?.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "api keys: {Store} changed but was not applied, the running keys stay: {Reason}")]
    private static partial void LogStoreRefused(ILogger logger, string store, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "api keys: reloaded {Store} ({Count} keys)")]
    private static partial void LogStoreReloaded(ILogger logger, string store, int count);
}

/// <summary>
/// A usage plan at run time: its throttle table (keyed by API key id) and quota counters, and its 429 policies. A
/// global plan also carries the Redis sync state of both (always the approximate mode: usage plan throttles and
/// quotas are best-effort, as AWS API Gateway documents its own).
/// </summary>
internal sealed class UsagePlan(UsagePlanConfig config, KeyedRateLimiter? throttle, QuotaCounters? quota,
    GlobalLimitEngine.Connection? redis = null, GlobalRateLimit? globalThrottle = null, GlobalQuota? globalQuota = null)
{
    public UsagePlanConfig Config { get; } = config;
    public KeyedRateLimiter? Throttle { get; } = throttle;
    public QuotaCounters? Quota { get; } = quota;
    public GlobalLimitEngine.Connection? Redis { get; } = redis;
    public GlobalRateLimit? GlobalThrottle { get; } = globalThrottle;
    public GlobalQuota? GlobalQuota { get; } = globalQuota;
    public string UnavailableLabel { get; } = config.Name + " (redis unavailable)";
    public byte[] NameUtf8 { get; } = Encoding.ASCII.GetBytes(config.Name);
    public byte[] ThrottlePolicy { get; } = config.ThrottleRate is { } rate
        ? RateLimitResponse.EncodePolicy(config.Name, rate.Count, rate.WindowSeconds)
        : [];
    public byte[] QuotaPolicy { get; } = config.QuotaLimit is { } limit
        ? RateLimitResponse.EncodePolicy(config.Name + "-quota", limit, config.QuotaPeriod switch { QuotaPeriod.Day => 86_400, QuotaPeriod.Week => 604_800, _ => 2_592_000 })
        : [];
    public byte[] QuotaName { get; } = Encoding.ASCII.GetBytes(config.Name + "-quota");
}
