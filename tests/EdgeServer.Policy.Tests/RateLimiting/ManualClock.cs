namespace EdgeServer.Policy.Tests.RateLimiting;

/// <summary>
/// A monotonic clock the test moves by hand (Microsoft.Extensions.TimeProvider.Testing is not served here), with the
/// system clock's 1 GHz frequency so intervals compile exactly as in production. Safe to read from many threads while
/// one thread advances it.
/// </summary>
internal sealed class ManualClock(long start = ManualClock.DefaultStart) : TimeProvider
{
    /// <summary>Far from zero, like a real monotonic clock, so "a TAT of 0 is in the past" holds as in production.</summary>
    public const long DefaultStart = 1_000_000_000_000;

    public const long Frequency = 1_000_000_000;

    private long _now = start;

    public override long TimestampFrequency => Frequency;

    public override long GetTimestamp() => Volatile.Read(ref _now);

    public long Now => Volatile.Read(ref _now);

    public void Advance(TimeSpan by) => Advance(by.Ticks * (Frequency / TimeSpan.TicksPerSecond));

    public void Advance(long ticks) => Interlocked.Add(ref _now, ticks);

    /// <summary>A monotonic clock never does this; the tests use it to check the limiter stays safe if one did.</summary>
    public void Set(long ticks) => Volatile.Write(ref _now, ticks);
}
