using System.Text;
using EdgeServer.Config.Model;
using EdgeServer.Policy.RateLimiting;
using EdgeServer.RateLimiting.Global;

namespace EdgeServer.RateLimiting;

/// <summary>A configured limit bound to its table of counters, with everything its 429 needs encoded once.</summary>
internal sealed class CompiledRateLimit
{
    public CompiledRateLimit(RateLimitConfig config, KeyedRateLimiter limiter, RateLimitCounters counters,
        GlobalRateLimit? global = null, GlobalLimitEngine.Connection? redis = null)
    {
        Config = config;
        Limiter = limiter;
        Counters = counters;
        Global = global;
        Redis = redis;
        NameUtf8 = Encoding.ASCII.GetBytes(config.Name);
        DryRunLabel = config.Name + " (dry run)";
        UnavailableLabel = config.Name + " (redis unavailable)";
        HeaderName = config.Header is null ? null : Encoding.ASCII.GetBytes(config.Header);
        Policy = RateLimitResponse.EncodePolicy(config.Name, config.Rate.Count, config.Rate.WindowSeconds);
    }

    public RateLimitConfig Config { get; }
    public KeyedRateLimiter Limiter { get; }
    public RateLimitCounters Counters { get; }
    /// <summary>Set for a global limit: its fleet-wide key identities and sync state.</summary>
    public GlobalRateLimit? Global { get; }
    /// <summary>Set for a global limit: the Redis it shares through, with the mode and fail policy.</summary>
    public GlobalLimitEngine.Connection? Redis { get; }
    public byte[] NameUtf8 { get; }
    /// <summary>What the access log shows for a request this dry-run limit would have refused (built once).</summary>
    public string DryRunLabel { get; }
    /// <summary>What the access log shows for a request this global limit refused because Redis could not answer (fail-closed).</summary>
    public string UnavailableLabel { get; }
    public byte[]? HeaderName { get; }
    /// <summary>The RateLimit-Policy item: the steady rate as a quota per window (the burst has no field of its own).</summary>
    public byte[] Policy { get; }

    public static RateLimitDefinition Definition(RateLimitConfig config) =>
        new(config.Name, config.Rate.Count, config.Rate.Period, config.Burst, config.MaxKeys);
}

/// <summary>Decisions of one limit for /metrics, kept by name so they survive reloads.</summary>
internal sealed class RateLimitCounters
{
    private long _allowed;
    private long _limited;
    private long _dryRun;

    public long Allowed => Volatile.Read(ref _allowed);
    public long Limited => Volatile.Read(ref _limited);
    /// <summary>Requests a dry-run limit would have refused.</summary>
    public long DryRun => Volatile.Read(ref _dryRun);

    public void CountAllowed() => Interlocked.Increment(ref _allowed);
    public void CountLimited() => Interlocked.Increment(ref _limited);
    public void CountDryRun() => Interlocked.Increment(ref _dryRun);
}
