using EdgeServer.ApiKeys;
using EdgeServer.Policy.ApiKeys;

namespace EdgeServer.RateLimiting.Global;

/// <summary>
/// A usage plan's quota shared by the fleet through Redis: one counter per key and window
/// (<c>{prefix}quota:{plan}:{key id}:{window}</c>) that outlives the window by a day, so quotas survive edge restarts.
/// The data path counts locally (<see cref="QuotaCounters"/>) and logs; the sync loop adds each node's count to the
/// Redis counter and raises the local count to the fleet's total.
/// </summary>
internal sealed class GlobalQuota(string plan, QuotaCounters counters, QuotaPeriod period, string keyPrefix)
{
    private const int LogCapacity = 16 * 1024;
    private readonly byte[] _keyPrefix = Encoding.UTF8.GetBytes($"{keyPrefix}quota:{plan}:");
    private long _synced;
    private long _syncFailures;

    public string Plan { get; } = plan;
    public string KeyPrefix { get; } = keyPrefix;
    public QuotaCounters Counters { get; } = counters;
    public QuotaPeriod Period { get; } = period;
    public ConsumptionLog<QuotaSpent> Log { get; } = new(LogCapacity);

    /// <summary>Keys and windows the sync loop follows. Sync loop only.</summary>
    internal Dictionary<(ulong Key, long Window), TrackedQuota> Tracked { get; } = [];

    public long SyncedKeys => Volatile.Read(ref _synced);
    public long SyncFailures => Volatile.Read(ref _syncFailures);
    public void CountSynced() => Interlocked.Increment(ref _synced);
    public void CountSyncFailure() => Interlocked.Increment(ref _syncFailures);

    public ReadOnlySpan<byte> RedisKey(ApiKeyEntry entry, long window, Span<byte> buffer)
    {
        var n = _keyPrefix.Length;
        _keyPrefix.CopyTo(buffer);
        n += Encoding.ASCII.GetBytes(entry.IdText, buffer[n..]);
        buffer[n++] = (byte)':';
        System.Buffers.Text.Utf8Formatter.TryFormat(window, buffer[n..], out var digits);
        return buffer[..(n + digits)];
    }
}

/// <summary>A request counted against a key's quota window (logged for the sync loop).</summary>
internal readonly record struct QuotaSpent(ApiKeyEntry Entry, long Window, int Count);

/// <summary>The sync loop's view of one key's window: requests not yet pushed, and rounds since the key was last used.</summary>
internal struct TrackedQuota
{
    public ApiKeyEntry Entry;
    public long Pending;
    public int IdleRounds;
}
