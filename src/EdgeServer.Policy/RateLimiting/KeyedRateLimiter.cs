using System.Diagnostics;
using System.Numerics;
using System.Runtime.InteropServices;

namespace EdgeServer.Policy.RateLimiting;

/// <summary>
/// One rate limit applied per key (client IP, IP prefix, API key, header value, route): a fixed-size open-addressing
/// table of GCRA states, with no lock and no allocation on a decision for a key already tracked.
/// </summary>
/// <remarks>
/// <para>
/// Layout. Each slot is 16 bytes: the key's 64-bit identity (<see cref="RateLimitKey"/>) and its TAT. Slots form groups of
/// <see cref="GroupSize"/>; a key lives in the group its hash picks, searched from a hash-chosen start so that at low
/// load a hit is the first slot read. The table holds 2 × MaxKeys slots rounded up to a power of two, allocated once:
/// memory is fixed (32–64 bytes per configured key) whatever the traffic.
/// </para>
/// <para>
/// A decision for a tracked key reads the slot's key, its TAT, the key again, and moves the TAT with one CAS (denials
/// write nothing). Eviction is free: a slot whose TAT is not after now holds a full bucket, the same state as a key
/// never seen, so it may be handed to another key at any time without losing anything.
/// </para>
/// <para>
/// Inserting a key (first request, or first after going idle) takes its group's claim lock: claims of one group are
/// serialised so two threads can never give one key two slots. Hits never take it. The claimer marks the slot's TAT
/// <see cref="Claiming"/> (CAS from the idle value it saw, so a concurrent hit on the evicted key either lands first and
/// keeps its slot, or fails), writes the new key, then the new TAT. A reader that sees <see cref="Claiming"/> waits out
/// those two stores; a reader holding a stale TAT fails its CAS, rereads and finds the key changed.
/// </para>
/// <para>
/// At the cap. When every slot of a key's group holds an active key (TAT after now), the key cannot be tracked and the
/// limit's shared overflow bucket decides for it: one GCRA cell with the limit's own rate and burst, shared by every
/// untracked key. This fails safe in both directions: a flood of distinct keys can never exceed one key's allowance
/// in total beyond what the tracked keys already hold (fail-open would let a rotating-address attacker through
/// unlimited), and keys already tracked keep their own buckets (fail-closed would let the flood deny everyone). Such
/// decisions are marked <see cref="RateLimitDecision.Overflowed"/> and counted in <see cref="OverflowDecisions"/> for
/// /metrics: a steady count means MaxKeys is too small. With keys spread by a keyed hash, groups fill like Poisson
/// bins: at MaxKeys active keys (mean group load ≤ 8 of 16) fewer than 0.1% of keys overflow; at 2 × MaxKeys, ~10%.
/// </para>
/// </remarks>
public sealed class KeyedRateLimiter
{
    /// <summary>16 slots (256 bytes): few enough to scan on a miss, enough that groups rarely fill at half load.</summary>
    internal const int GroupSize = 16;

    /// <summary>A TAT no clock produces: the slot is between owners for the two stores of a claim.</summary>
    private const long Claiming = long.MinValue;

    private readonly Slot[] _slots;
    private readonly int[] _claimLocks;
    private readonly int _slotMask;
    private readonly GcraCell _overflow;
    private long _overflowDecisions;

    public KeyedRateLimiter(RateLimitDefinition definition, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        Rate = new GcraRate(definition, clock.TimestampFrequency);
        Clock = clock;
        int slots = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(2 * definition.MaxKeys, GroupSize));
        _slots = new Slot[slots];
        _claimLocks = new int[slots / GroupSize];
        _slotMask = slots - 1;
        _overflow = new GcraCell(Rate, clock);
    }

    public RateLimitDefinition Definition => Rate.Definition;

    public GcraRate Rate { get; }

    public TimeProvider Clock { get; }

    /// <summary>Slots in the table: the most keys it can ever track at once.</summary>
    public int Capacity => _slots.Length;

    /// <summary>Bytes the table holds, fixed at construction.</summary>
    public long MemoryBytes => (long)_slots.Length * Marshal.SizeOf<Slot>() + (long)_claimLocks.Length * sizeof(int);

    /// <summary>Decisions made by the shared overflow bucket because a key's group was full of active keys.</summary>
    public long OverflowDecisions => Volatile.Read(ref _overflowDecisions);

    public RateLimitDecision TryAcquire(RateLimitKey key, long cost = 1) => TryAcquire(key, cost, Clock.GetTimestamp());

    /// <summary>
    /// Spends <paramref name="cost"/> permits of <paramref name="key"/>'s bucket if it holds them (0 only reads it).
    /// <paramref name="now"/> is a timestamp of <see cref="Clock"/>, read once per request for all its limits.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The cost is negative or above the burst: it could never pass.</exception>
    public RateLimitDecision TryAcquire(RateLimitKey key, long cost, long now) => Decide(key.Identity, cost, now, Update.Acquire);

    /// <summary>Hashes the key's bytes, then decides: for keys used by one limit once (see <see cref="RateLimitKey"/>).</summary>
    public RateLimitDecision TryAcquire(ReadOnlySpan<byte> key, long cost, long now) => TryAcquire(RateLimitKey.Of(key), cost, now);

    public RateLimitDecision TryAcquire(ReadOnlySpan<byte> key, long cost = 1) => TryAcquire(RateLimitKey.Of(key), cost, Clock.GetTimestamp());

    /// <summary>
    /// Records <paramref name="cost"/> permits spent elsewhere (another node's share, synced in a batch), whether or not
    /// the bucket held them, but never beyond an empty bucket.
    /// </summary>
    public void Charge(RateLimitKey key, long cost, long now)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(cost);
        Decide(key.Identity, cost, now, Update.Charge);
    }

    public void Charge(ReadOnlySpan<byte> key, long cost, long now) => Charge(RateLimitKey.Of(key), cost, now);

    /// <summary>
    /// Moves the key's TAT to at least <paramref name="tat"/> (clamped to an empty bucket): the state another party
    /// computed for the same key, such as the fleet's TAT in Redis, adopted without counting this node's share twice.
    /// Keys decided by the overflow bucket are left alone: one key's debt must not be charged to every untracked key.
    /// </summary>
    public void Raise(RateLimitKey key, long tat, long now)
    {
        if (tat > now)
            Decide(key.Identity, tat, now, Update.Raise);
    }

    /// <summary>Keys whose bucket is not full at <paramref name="now"/>: a scan of the whole table, for reports and tests.</summary>
    public int CountActiveKeys(long now)
    {
        int active = 0;
        for (int i = 0; i < _slots.Length; i++)
        {
            long tat = Volatile.Read(ref _slots[i].Tat);
            if (Volatile.Read(ref _slots[i].Key) != 0 && (tat > now || tat == Claiming))
                active++;
        }

        return active;
    }

    /// <summary>How many slots hold this key: never more than one, which the concurrency tests check.</summary>
    internal int SlotsHolding(ulong identity)
    {
        int count = 0;
        for (int i = 0; i < _slots.Length; i++)
        {
            if (Volatile.Read(ref _slots[i].Key) == (long)identity)
                count++;
        }

        return count;
    }

    /// <summary>The decision for a key given by its identity: lets tests place keys in chosen groups.</summary>
    internal RateLimitDecision Decide(ulong identity, long cost, long now, bool charge) =>
        Decide(identity, cost, now, charge ? Update.Charge : Update.Acquire);

    /// <summary>What a decision does to the key's TAT; for <see cref="Update.Raise"/> the "cost" is the target TAT.</summary>
    private enum Update { Acquire, Charge, Raise }

    private RateLimitDecision Decide(ulong identity, long cost, long now, Update update)
    {
        Debug.Assert(identity != 0);
        if (update == Update.Acquire)
            Rate.ThrowIfInvalidCost(cost);
        long key = (long)identity;
        int index = (int)identity & _slotMask;
        int group = index & ~(GroupSize - 1);
        int start = index & (GroupSize - 1);
        while (true)
        {
            int at = Find(group, start, key, out long tat);
            if (at >= 0)
            {
                if (TryUpdate(ref _slots[at], key, tat, cost, now, update, out var decision))
                    return decision;
                continue;   // the slot changed owner under us: the key went idle and was evicted
            }

            if (cost == 0)
                return new RateLimitDecision(Rate, true, now, now, 0);  // an untracked key has a full bucket

            switch (TryInsert(group, start, key, cost, now, update, out var inserted))
            {
                case Insert.Done:
                    return inserted;
                case Insert.Full:
                    return DecideOverflow(cost, now, update);
            }
        }
    }

    /// <summary>The slot holding the key, and a TAT read while it held it; -1 if the group does not hold the key.</summary>
    private int Find(int group, int start, long key, out long tat)
    {
        var slots = _slots;
        for (int i = 0; i < GroupSize; i++)
        {
            int at = group + ((start + i) & (GroupSize - 1));
            ref Slot slot = ref slots[at];
            if (Volatile.Read(ref slot.Key) != key)
                continue;
            // TAT first, then the key again: a claim writes the key before the TAT, so a TAT stored by a new owner
            // is always seen together with the new owner's key.
            tat = ReadSettledTat(ref slot);
            if (Volatile.Read(ref slot.Key) == key)
                return at;
        }

        tat = 0;
        return -1;
    }

    private bool TryUpdate(ref Slot slot, long key, long tat, long cost, long now, Update update, out RateLimitDecision decision)
    {
        while (true)
        {
            long next = Next(tat, now, cost, update, out bool allowed, out long retryAfter);

            if (!allowed || next == tat)
            {
                decision = new RateLimitDecision(Rate, allowed, now, next, retryAfter);
                return true;
            }

            long seen = Interlocked.CompareExchange(ref slot.Tat, next, tat);
            if (seen == tat)
            {
                decision = new RateLimitDecision(Rate, true, now, next, 0);
                return true;
            }

            if (seen == Claiming || Volatile.Read(ref slot.Key) != key)
            {
                decision = default;
                return false;
            }

            tat = seen;
        }
    }

    private enum Insert { Done, Retry, Full }

    private Insert TryInsert(int group, int start, long key, long cost, long now, Update update, out RateLimitDecision decision)
    {
        decision = default;
        ref int claimLock = ref _claimLocks[group / GroupSize];
        var spin = new SpinWait();
        while (Interlocked.CompareExchange(ref claimLock, 1, 0) != 0)
            spin.SpinOnce();
        try
        {
            // Under the lock keys cannot change, only TATs (hits keep running), so this scan's view of keys holds.
            int free = -1;
            long freeTat = 0;
            for (int i = 0; i < GroupSize; i++)
            {
                int at = group + ((start + i) & (GroupSize - 1));
                ref Slot slot = ref _slots[at];
                long tat = Volatile.Read(ref slot.Tat);
                long owner = Volatile.Read(ref slot.Key);
                if (owner == key)
                    return Insert.Retry;        // another thread inserted it since our search
                if (free < 0 && (owner == 0 || tat <= now))
                {
                    free = at;
                    freeTat = tat;
                }
            }

            if (free < 0)
                return Insert.Full;

            ref Slot claimed = ref _slots[free];
            if (Interlocked.CompareExchange(ref claimed.Tat, Claiming, freeTat) != freeTat)
                return Insert.Retry;            // its idle owner just spent a permit: the slot is busy again

            Interlocked.Exchange(ref claimed.Key, key);
            long next = Next(now, now, cost, update, out bool allowed, out long retryAfter);
            Debug.Assert(allowed && next > freeTat, "a fresh bucket grants any valid cost, and moves the TAT past the idle one");
            Volatile.Write(ref claimed.Tat, next);
            decision = new RateLimitDecision(Rate, allowed, now, next, retryAfter);
            return Insert.Done;
        }
        finally
        {
            Volatile.Write(ref claimLock, 0);
        }
    }

    private long Next(long tat, long now, long cost, Update update, out bool allowed, out long retryAfter)
    {
        allowed = true;
        retryAfter = 0;
        switch (update)
        {
            case Update.Charge:
                return Rate.Charge(tat, now, cost);
            case Update.Raise:
                return Rate.Raise(tat, now, cost);
            default:
                allowed = Rate.TryAcquire(tat, now, cost, out long next, out retryAfter);
                return next;
        }
    }

    private RateLimitDecision DecideOverflow(long cost, long now, Update update)
    {
        if (update == Update.Raise)
            return default;
        Interlocked.Increment(ref _overflowDecisions);
        if (update == Update.Charge)
        {
            _overflow.Charge(cost, now);
            return default;
        }

        return _overflow.TryAcquire(cost, now).AsOverflow();
    }

    private static long ReadSettledTat(ref Slot slot)
    {
        long tat = Volatile.Read(ref slot.Tat);
        if (tat != Claiming)
            return tat;
        var spin = new SpinWait();
        do
        {
            spin.SpinOnce();
            tat = Volatile.Read(ref slot.Tat);
        }
        while (tat == Claiming);
        return tat;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Slot
    {
        public long Key;
        public long Tat;
    }
}
