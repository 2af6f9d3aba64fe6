namespace EdgeServer.Policy.RateLimiting;

/// <summary>
/// One limit for one key (a global limit, the table's overflow bucket): a single 64-bit TAT updated by
/// compare-and-swap, so any number of threads decide without a lock and without losing an update.
/// </summary>
/// <remarks>
/// Every allowed decision is one successful CAS that moves the TAT forward by cost·T, so concurrent decisions are
/// linearisable: at a frozen clock exactly B permits are granted however many threads race, and over a moving clock
/// at most B + ⌊(t_last − t_first) / T⌋, where t are the clock readings the deciding threads took.
/// </remarks>
public sealed class GcraCell
{
    private long _tat;

    public GcraCell(GcraRate rate, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(rate);
        ArgumentNullException.ThrowIfNull(clock);
        Rate = rate;
        Clock = clock;
    }

    public GcraRate Rate { get; }

    public TimeProvider Clock { get; }

    /// <summary>The theoretical arrival time, for tests and for reporting.</summary>
    internal long Tat => Volatile.Read(ref _tat);

    public RateLimitDecision TryAcquire(long cost = 1) => TryAcquire(cost, Clock.GetTimestamp());

    /// <summary>
    /// Decides at <paramref name="now"/>, a timestamp of <see cref="Clock"/>: the proxy reads the clock once per
    /// request and passes it to every limit on the request's path.
    /// </summary>
    public RateLimitDecision TryAcquire(long cost, long now)
    {
        Rate.ThrowIfInvalidCost(cost);
        long tat = Volatile.Read(ref _tat);
        while (true)
        {
            bool allowed = Rate.TryAcquire(tat, now, cost, out long next, out long retryAfter);
            if (!allowed || next == tat)
                return new RateLimitDecision(Rate, allowed, now, next, retryAfter);
            long seen = Interlocked.CompareExchange(ref _tat, next, tat);
            if (seen == tat)
                return new RateLimitDecision(Rate, true, now, next, 0);
            tat = seen;
        }
    }

    /// <summary>Records consumption that was decided elsewhere (see <see cref="GcraRate.Charge"/>).</summary>
    public void Charge(long cost, long now)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(cost);
        long tat = Volatile.Read(ref _tat);
        while (true)
        {
            long next = Rate.Charge(tat, now, cost);
            if (next == tat)
                return;
            long seen = Interlocked.CompareExchange(ref _tat, next, tat);
            if (seen == tat)
                return;
            tat = seen;
        }
    }
}
