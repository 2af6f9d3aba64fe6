using EdgeServer.Policy.RateLimiting;

namespace EdgeServer.Policy.Tests.RateLimiting;

public class RateLimiterSetTests
{
    private static RateLimitDefinition PerIp(long burst = 10) => new("per-ip", 5, TimeSpan.FromSeconds(1), burst, 1000);

    private static readonly RateLimitDefinition PerKey = new("per-key", 100, TimeSpan.FromMinutes(1), 20, 1000);

    [Fact]
    public void A_reload_keeps_the_state_of_unchanged_limits_and_restarts_changed_ones()
    {
        var clock = new ManualClock();
        var first = RateLimiterSet.Build([PerIp(), PerKey], clock, previous: null);
        byte[] client = [203, 0, 113, 7];
        first["per-ip"].TryAcquire(client, cost: 4);
        first["per-key"].TryAcquire(client, cost: 15);

        var second = RateLimiterSet.Build([PerIp(), PerKey with { Burst = 30 }, new("new", 1, TimeSpan.FromSeconds(1), 1, 10)], clock, first);
        Assert.Equal(3, second.Count);
        Assert.Equal(1, second.CarriedOver);
        Assert.Same(first["per-ip"], second["per-ip"]);
        Assert.Equal(6, second["per-ip"].TryAcquire(client, cost: 0).Remaining);      // still spent
        Assert.NotSame(first["per-key"], second["per-key"]);
        Assert.Equal(30, second["per-key"].TryAcquire(client, cost: 0).Remaining);     // a new limit starts full
        Assert.True(second.TryGet("new", out _));
        Assert.False(second.TryGet("per-route", out _));
    }

    [Fact]
    public void A_reload_drops_limits_no_longer_defined_and_never_carries_across_clocks()
    {
        var clock = new ManualClock();
        var first = RateLimiterSet.Build([PerIp(), PerKey], clock, RateLimiterSet.Empty);
        var second = RateLimiterSet.Build([PerKey], clock, first);
        Assert.False(second.TryGet("per-ip", out _));
        Assert.Same(first["per-key"], second["per-key"]);

        var third = RateLimiterSet.Build([PerKey], new ManualClock(), second);
        Assert.Equal(0, third.CarriedOver);
        Assert.NotSame(second["per-key"], third["per-key"]);
    }

    [Fact]
    public void Refuses_two_limits_with_one_name()
    {
        var error = Assert.Throws<ArgumentException>(() => RateLimiterSet.Build([PerIp(), PerIp(burst: 3)], new ManualClock(), null));
        Assert.StartsWith("rate limit 'per-ip' is defined twice", error.Message, StringComparison.Ordinal);
    }
}
