namespace EdgeServer.RateLimiting;

/// <summary>
/// The outcome of a request's limits so far: which limit answers, and what its 429 says. Of the limits that refuse,
/// the one whose Retry-After is longest answers; a global limit that could not reach Redis under fail-closed answers
/// 503 only when no limit refused outright (a real 429 tells the client more).
/// </summary>
internal struct RateLimitVerdict
{
    public CompiledRateLimit? RefusedBy;
    public long RetryAfterTicks;
    public long RetryAfterSeconds;
    public long Remaining;
    public long ResetSeconds;
    /// <summary>The refusal is "Redis unavailable" (503), not "over the limit" (429).</summary>
    public bool Unavailable;

    public void Refuse(CompiledRateLimit limit, long retryAfterTicks, long retryAfterSeconds, long remaining, long resetSeconds)
    {
        if (RefusedBy is not null && !Unavailable && retryAfterTicks <= RetryAfterTicks) return;
        RefusedBy = limit;
        RetryAfterTicks = retryAfterTicks;
        RetryAfterSeconds = Math.Max(1, retryAfterSeconds);
        Remaining = remaining;
        ResetSeconds = resetSeconds;
        Unavailable = false;
    }

    public void RefuseUnavailable(CompiledRateLimit limit)
    {
        if (RefusedBy is not null) return;
        RefusedBy = limit;
        RetryAfterSeconds = 1;
        Unavailable = true;
    }
}
