namespace EdgeServer.Policy.RateLimiting;

/// <summary>
/// What an operator configures for one limit: <see cref="Permits"/> per <see cref="Period"/> sustained, up to
/// <see cref="Burst"/> at once, tracked for up to <see cref="MaxKeys"/> concurrently active keys.
/// </summary>
/// <remarks>
/// Record equality is the limit's identity across config reloads: a new snapshot whose definition equals the old one
/// (same name, rate, burst and capacity) carries the old <see cref="KeyedRateLimiter"/> over with its counters
/// (<see cref="RateLimiterSet.Build"/>); changing any of these starts the limit afresh, because state computed under one
/// rate means something else under another.
/// </remarks>
public sealed record RateLimitDefinition(string Name, long Permits, TimeSpan Period, long Burst, int MaxKeys)
{
    /// <summary>
    /// 16 M keys: the table then takes 512 MiB (32 M slots of 16 bytes). More than that is a configuration mistake
    /// (a per-request key such as a request id), not a rate limit.
    /// </summary>
    public const int MaxKeysLimit = 1 << 24;

    /// <summary>Why this definition cannot be compiled against a clock of this frequency, or null if it can.</summary>
    public string? Validate(long timestampFrequency)
    {
        if (string.IsNullOrWhiteSpace(Name))
            return "a rate limit needs a name";
        if (Permits < 1)
            return $"rate limit '{Name}': permits must be at least 1, not {Permits}";
        if (Period <= TimeSpan.Zero)
            return $"rate limit '{Name}': the period must be positive, not {Period}";
        if (Burst < 1)
            return $"rate limit '{Name}': burst must be at least 1, not {Burst}";
        if (MaxKeys < 1 || MaxKeys > MaxKeysLimit)
            return $"rate limit '{Name}': max keys must be between 1 and {MaxKeysLimit}, not {MaxKeys}";
        return GcraRate.ValidateTicks(this, timestampFrequency);
    }
}
