using System.Diagnostics;
using EdgeServer.WebSockets;

namespace EdgeServer.Tests.WebSockets;

/// <summary>The per-connection message rate: a burst at once, then one message per 1/rate seconds; never more.</summary>
public sealed class MessageRateLimiterTests
{
    private static readonly long Second = Stopwatch.Frequency;

    [Fact]
    public void Unlimited_always_allows()
    {
        var limiter = new MessageRateLimiter(0, 0);
        Assert.False(limiter.IsLimited);
        for (var i = 0; i < 10_000; i++) Assert.True(limiter.TryAcquire(0));
    }

    [Fact]
    public void A_burst_passes_at_once_then_the_sustained_rate_applies()
    {
        var limiter = new MessageRateLimiter(perSecond: 10, burst: 5);
        var now = 1000 * Second;
        for (var i = 0; i < 5; i++) Assert.True(limiter.TryAcquire(now), $"message {i} of the burst");
        Assert.False(limiter.TryAcquire(now));
        // One message per 100 ms after that.
        Assert.False(limiter.TryAcquire(now + Second / 10 - 1));
        Assert.True(limiter.TryAcquire(now + Second / 10));
        Assert.False(limiter.TryAcquire(now + Second / 10));
        // Refused messages cost nothing, and idle time refills at most the burst: two quiet seconds later, 5 fit at once.
        var later = now + 2 * Second;
        var allowed = 0;
        for (var i = 0; i < 20; i++) if (limiter.TryAcquire(later)) allowed++;
        Assert.Equal(5, allowed);
    }

    [Fact]
    public void Burst_zero_means_one_seconds_worth()
    {
        var limiter = new MessageRateLimiter(perSecond: 3, burst: 0);
        var now = 50 * Second;
        Assert.Equal(3, Enumerable.Range(0, 10).Count(_ => limiter.TryAcquire(now)));
    }

    [Fact]
    public void Over_a_long_run_the_count_never_exceeds_burst_plus_rate_times_time()
    {
        var limiter = new MessageRateLimiter(perSecond: 50, burst: 10);
        var start = 10 * Second;
        var allowed = 0;
        for (var t = 0L; t <= 10 * Second; t += Second / 1000)
        {
            if (limiter.TryAcquire(start + t)) allowed++;
        }
        Assert.InRange(allowed, 500, 10 + 500);
    }
}
