using System.Buffers.Text;
using EdgeServer.Policy.RateLimiting;

namespace EdgeServer.RateLimiting.Global;

/// <summary>
/// A rate limit shared by every edge node through Redis. Decisions stay local and lock-free (its
/// <see cref="KeyedRateLimiter"/>); what differs from a local limit is that keys are hashed under the fleet's hash
/// key (so a key has one identity everywhere), spending is logged for the sync loop, and the key's Redis state is
/// named here. Exact mode asks Redis per decision and keeps the local table as a mirror for when Redis is down.
/// </summary>
internal sealed class GlobalRateLimit
{
    /// <summary>Spending logged between two syncs; beyond, entries are dropped (see <see cref="ConsumptionLog{T}"/>).</summary>
    private const int LogCapacity = 64 * 1024;

    private readonly byte[] _keyPrefix;
    private long _synced;
    private long _syncFailures;
    private long _fallbackAllowed;
    private long _fallbackRefused;
    private long _untracked;

    public GlobalRateLimit(string name, KeyedRateLimiter limiter, RateLimitKeyHasher hasher, string keyPrefix)
    {
        Name = name;
        Limiter = limiter;
        Hasher = hasher;
        Log = new ConsumptionLog<Spent>(LogCapacity);
        _keyPrefix = Encoding.UTF8.GetBytes($"{keyPrefix}rl:{name}:");
        var rate = limiter.Rate;
        // Redis keeps microseconds of its own clock; the config validator holds global rates to at most 10⁶/s.
        IntervalMicros = Math.Max(1, (long)Math.Round(rate.Definition.Period.TotalMicroseconds / rate.Definition.Permits));
        CapacityMicros = IntervalMicros * rate.Burst;
    }

    public string Name { get; }

    public KeyedRateLimiter Limiter { get; }

    public RateLimitKeyHasher Hasher { get; }

    public ConsumptionLog<Spent> Log { get; }

    public long IntervalMicros { get; }

    public long CapacityMicros { get; }

    /// <summary>The longest Redis key this limit writes: the prefix and 16 hex digits.</summary>
    public int MaxKeyBytes => _keyPrefix.Length + 16;

    /// <summary>Keys the sync loop follows (this node spent on them, or the fleet's bucket is not full). Sync loop only.</summary>
    internal Dictionary<ulong, TrackedKey> Tracked { get; } = [];

    public long SyncedKeys => Volatile.Read(ref _synced);
    public long SyncFailures => Volatile.Read(ref _syncFailures);
    /// <summary>Decisions the local table made alone because Redis could not answer (fail-open).</summary>
    public long FallbackAllowed => Volatile.Read(ref _fallbackAllowed);
    /// <summary>Requests refused because Redis could not answer (fail-closed).</summary>
    public long FallbackRefused => Volatile.Read(ref _fallbackRefused);
    /// <summary>Keys the sync loop could not follow: more distinct keys than the limit's maxKeys were active.</summary>
    public long Untracked => Volatile.Read(ref _untracked);

    public void CountSynced(int keys) => Interlocked.Add(ref _synced, keys);
    public void CountSyncFailure() => Interlocked.Increment(ref _syncFailures);
    public void CountFallback(bool allowed)
    {
        if (allowed) Interlocked.Increment(ref _fallbackAllowed);
        else Interlocked.Increment(ref _fallbackRefused);
    }
    public void CountUntracked() => Interlocked.Increment(ref _untracked);

    /// <summary>Writes <c>{prefix}rl:{limit}:{identity as 16 hex digits}</c>.</summary>
    public int WriteRedisKey(ulong identity, Span<byte> destination)
    {
        _keyPrefix.CopyTo(destination);
        Utf8Formatter.TryFormat(identity, destination[_keyPrefix.Length..], out var written, new System.Buffers.StandardFormat('x', 16));
        return _keyPrefix.Length + written;
    }

    /// <summary>The key's Redis name, written into <paramref name="buffer"/> (at least <see cref="MaxKeyBytes"/> long).</summary>
    public ReadOnlySpan<byte> RedisKey(ulong identity, Span<byte> buffer) => buffer[..WriteRedisKey(identity, buffer)];

    /// <summary>Microseconds of Redis's clock as ticks of the local clock.</summary>
    public long MicrosToTicks(long micros) => (long)((Int128)micros * Limiter.Clock.TimestampFrequency / 1_000_000);
}

/// <summary>Permits the data path spent on one key (logged for the sync loop).</summary>
internal readonly record struct Spent(ulong Identity, int Permits);

/// <summary>The sync loop's view of one key: spending not yet pushed, and when the fleet's bucket is full again (local clock).</summary>
internal struct TrackedKey
{
    public long Pending;
    public long FullAt;
    /// <summary>The sync round that last sent this key, so one round never sends it twice.</summary>
    public long SentInRound;
}
