namespace EdgeServer.Policy.RateLimiting;

/// <summary>
/// The answer to one rate-limit decision, with what the 429 response and the IETF <c>RateLimit</c> /
/// <c>Retry-After</c> headers need. A struct of raw ticks: the divisions that turn them into header values run only
/// when a header is written, not on every decision.
/// </summary>
public readonly struct RateLimitDecision
{
    private readonly long _now;
    private readonly long _tat;
    private readonly long _retryAfterTicks;

    internal RateLimitDecision(GcraRate rate, bool allowed, long now, long tat, long retryAfterTicks, bool overflowed = false)
    {
        Rate = rate;
        Allowed = allowed;
        _now = now;
        _tat = tat;
        _retryAfterTicks = retryAfterTicks;
        Overflowed = overflowed;
    }

    public bool Allowed { get; }

    internal RateLimitDecision AsOverflow() => new(Rate, Allowed, _now, _tat, _retryAfterTicks, overflowed: true);

    /// <summary>
    /// The key found no room in its table group (every slot held an active key), so the limit's shared overflow bucket
    /// decided. See <see cref="KeyedRateLimiter"/>.
    /// </summary>
    public bool Overflowed { get; }

    public GcraRate Rate { get; }

    /// <summary>Permits the key could still spend now (after this request, if it was allowed).</summary>
    public long Remaining
    {
        get
        {
            long headroom = _now + Rate.CapacityTicks - _tat;
            return headroom <= 0 ? 0 : Math.Min(headroom / Rate.EmissionInterval, Rate.Burst);
        }
    }

    /// <summary>Ticks until the key's bucket is full again (the key is then as good as new).</summary>
    public long ResetTicks => Math.Max(0, _tat - _now);

    /// <summary>Seconds until the bucket is full again, rounded up: the IETF <c>RateLimit</c> header's t.</summary>
    public long ResetSeconds => CeilingSeconds(ResetTicks);

    /// <summary>Ticks until a request of the same cost would be allowed; 0 when this one was.</summary>
    public long RetryAfterTicks => _retryAfterTicks;

    /// <summary>Seconds until a request of the same cost would be allowed, rounded up (at least 1 when denied): <c>Retry-After</c>.</summary>
    public long RetryAfterSeconds => CeilingSeconds(_retryAfterTicks);

    private long CeilingSeconds(long ticks)
    {
        long frequency = Rate.TimestampFrequency;
        return ticks / frequency + (ticks % frequency == 0 ? 0 : 1);
    }
}
