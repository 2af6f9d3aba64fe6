using System.Collections.Concurrent;

namespace EdgeServer.ApiKeys;

/// <summary>
/// Requests used per key in the current quota window, as this process knows it: its own count, raised to the
/// fleet's total from Redis for global plans (<see cref="Raise"/>); without Redis a restart starts the window's count
/// again. One cell per key, created on its first request. A cell is one 64-bit
/// word — the window's index in the high bits, the count in the low 40 — updated by compare-and-swap, so a
/// new window resets it atomically and counting neither locks nor allocates.
/// </summary>
internal sealed class QuotaCounters
{
    private const int CountBits = 40;
    private const long CountMask = (1L << CountBits) - 1;
    // 23 bits, so a state is never negative (-1 means no window yet): day indices fit until the year 22900.
    private const long WindowMask = (1L << (63 - CountBits)) - 1;

    private readonly ConcurrentDictionary<ulong, StrongBoxLong> _cells = new();

    private sealed class StrongBoxLong
    {
        public long Value = -1; // no window yet
    }

    /// <summary>
    /// Adopts the fleet's count for a key's window (from Redis), unless this cell has moved to a later window or
    /// already counts more (requests since the push).
    /// </summary>
    public void Raise(ulong key, long window, long total)
    {
        var cell = _cells.GetOrAdd(key, static _ => new StrongBoxLong());
        var tag = window & WindowMask;
        total = Math.Min(total, CountMask);
        while (true)
        {
            var state = Volatile.Read(ref cell.Value);
            var sameWindow = state >= 0 && (state >> CountBits) == tag;
            if (state >= 0 && (state >> CountBits) > tag) return;
            var used = sameWindow ? state & CountMask : 0;
            if (used >= total) return;
            if (Interlocked.CompareExchange(ref cell.Value, (tag << CountBits) | total, state) == state) return;
        }
    }

    /// <summary>Counts one request of <paramref name="key"/> in window <paramref name="window"/>; false when the limit is used up.</summary>
    public bool TryConsume(ulong key, long window, long limit, out long remaining)
    {
        var cell = _cells.GetOrAdd(key, static _ => new StrongBoxLong());
        var tag = window & WindowMask;
        while (true)
        {
            var state = Volatile.Read(ref cell.Value);
            var used = state >= 0 && (state >> CountBits) == tag ? state & CountMask : 0;
            if (used >= limit)
            {
                remaining = 0;
                return false;
            }
            var next = (tag << CountBits) | (used + 1);
            if (Interlocked.CompareExchange(ref cell.Value, next, state) == state)
            {
                remaining = limit - used - 1;
                return true;
            }
        }
    }
}
