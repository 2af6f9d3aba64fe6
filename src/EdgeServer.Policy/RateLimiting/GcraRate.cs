using System.Runtime.CompilerServices;

namespace EdgeServer.Policy.RateLimiting;

/// <summary>
/// A rate limit compiled into clock ticks, and the generic cell rate algorithm (GCRA) over one 64-bit state word.
/// </summary>
/// <remarks>
/// <para>
/// Why GCRA and not a token bucket: a token bucket needs two numbers (tokens and the time they were counted), which
/// do not fit one word without losing range or precision, so a lock-free bucket would need a 128-bit CAS or a lock.
/// GCRA keeps the same behaviour in one number, the theoretical arrival time (TAT): the instant at which the bucket
/// would be full again. Time refills it implicitly (no refill timer, nothing to do for idle keys), and a TAT in the
/// past means "full bucket", which is exactly a fresh key: that is what lets the table reuse idle slots without
/// losing anything. Burst semantics are exact: B requests at one instant, then one per emission interval T.
/// </para>
/// <para>
/// With T = period / permits and a capacity of B·T: a request of cost n at time <c>now</c> is allowed iff
/// <c>max(TAT, now) + n·T − B·T ≤ now</c>, and then TAT becomes <c>max(TAT, now) + n·T</c>. Denials change nothing,
/// so they cost no write. Remaining = ⌊(now + B·T − TAT) / T⌋; the bucket is full again (the IETF "reset") at TAT.
/// </para>
/// <para>
/// T is rounded to whole ticks: at the system clock's 1 GHz the error is below one part in 10⁹ for any rate under
/// 1 000/s, and the rate must leave T at least one tick. B·T stays below 2⁶¹ ticks so no sum here can overflow.
/// </para>
/// </remarks>
public sealed class GcraRate
{
    /// <summary>2⁶¹ ticks (73 years at 1 GHz): keeps now + 2·B·T far from overflowing a long.</summary>
    private const long MaxCapacityTicks = 1L << 61;

    public GcraRate(RateLimitDefinition definition, long timestampFrequency)
    {
        ArgumentNullException.ThrowIfNull(definition);
        string? error = definition.Validate(timestampFrequency);
        if (error is not null)
            throw new ArgumentException(error, nameof(definition));
        Definition = definition;
        TimestampFrequency = timestampFrequency;
        EmissionInterval = IntervalTicks(definition, timestampFrequency);
        Burst = definition.Burst;
        CapacityTicks = Burst * EmissionInterval;
    }

    public RateLimitDefinition Definition { get; }

    /// <summary>Ticks per second of the clock this rate was compiled for.</summary>
    public long TimestampFrequency { get; }

    /// <summary>T: ticks between two permits at the sustained rate.</summary>
    public long EmissionInterval { get; }

    /// <summary>B: the most permits one key can spend at one instant.</summary>
    public long Burst { get; }

    /// <summary>B·T: how far ahead of now a key's TAT may run.</summary>
    public long CapacityTicks { get; }

    /// <summary>Permits per period, for the IETF <c>RateLimit-Policy</c> header (q).</summary>
    public long Permits => Definition.Permits;

    /// <summary>The period in whole seconds (rounded up), for the IETF <c>RateLimit-Policy</c> header (w).</summary>
    public long PeriodSeconds => (Definition.Period.Ticks + TimeSpan.TicksPerSecond - 1) / TimeSpan.TicksPerSecond;

    internal static string? ValidateTicks(RateLimitDefinition definition, long timestampFrequency)
    {
        if (timestampFrequency < 1)
            return "the clock's timestamp frequency must be positive";
        long interval = IntervalTicks(definition, timestampFrequency);
        if (interval < 1)
            return $"rate limit '{definition.Name}': {definition.Permits} per {definition.Period} is finer than the clock ({timestampFrequency} ticks/s)";
        if (interval > MaxCapacityTicks / definition.Burst)
            return $"rate limit '{definition.Name}': burst × period / permits exceeds {MaxCapacityTicks} clock ticks";
        return null;
    }

    /// <summary>period × frequency / permits, rounded to the nearest tick, computed without overflow.</summary>
    private static long IntervalTicks(RateLimitDefinition definition, long frequency)
    {
        Int128 numerator = (Int128)definition.Period.Ticks * frequency;
        Int128 denominator = (Int128)definition.Permits * TimeSpan.TicksPerSecond;
        Int128 interval = (numerator + denominator / 2) / denominator;
        return interval > long.MaxValue ? long.MaxValue : (long)interval;
    }

    /// <summary>
    /// One GCRA step: <paramref name="next"/> is the state to store if the request is allowed (unchanged when denied),
    /// <paramref name="retryAfterTicks"/> how long until a request of this cost would be allowed (0 when allowed).
    /// </summary>
    /// <remarks>
    /// A TAT ahead of now + B·T (possible only if the clock went backwards, or a thread read it long before another
    /// stored a newer TAT) is kept, not clamped: the limiter errs strict, never loose.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool TryAcquire(long tat, long now, long cost, out long next, out long retryAfterTicks)
    {
        long basis = Math.Max(tat, now);
        long candidate = basis + cost * EmissionInterval;
        long allowAt = candidate - CapacityTicks;
        if (allowAt <= now)
        {
            next = candidate;
            retryAfterTicks = 0;
            return true;
        }

        next = basis;
        retryAfterTicks = allowAt - now;
        return false;
    }

    /// <summary>
    /// Consumption that happened elsewhere (another node, reported in a batch): always recorded, but never beyond an
    /// empty bucket, so a burst of remote traffic cannot lock a key out for longer than B·T.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal long Charge(long tat, long now, long cost)
    {
        long basis = Math.Max(tat, now);
        long charged = basis + Math.Min(cost, Burst) * EmissionInterval;
        return Math.Max(tat, Math.Min(charged, now + CapacityTicks));
    }

    /// <summary>
    /// Adopts a TAT computed elsewhere for the same key (the fleet's, from Redis) when it is later than ours: clamped
    /// to an empty bucket like <see cref="Charge"/>, and never moving ours back.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal long Raise(long tat, long now, long target) => Math.Max(tat, Math.Min(target, now + CapacityTicks));

    /// <summary>A request of this cost can never be allowed: a configuration error, reported before any state changes.</summary>
    internal void ThrowIfInvalidCost(long cost)
    {
        if ((ulong)cost > (ulong)Burst)
            ThrowCost(cost);
    }

    private void ThrowCost(long cost) =>
        throw new ArgumentOutOfRangeException(nameof(cost), cost, $"rate limit '{Definition.Name}': a cost must be between 0 and the burst ({Burst})");
}
