using EdgeServer.Redis;

namespace EdgeServer.Tests.Redis;

/// <summary>Reconnect delays: doubling from the minimum, capped, and jittered within the upper half.</summary>
public sealed class ReconnectBackoffTests
{
    private static readonly TimeSpan Min = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(5);

    [Theory]
    [InlineData(0, 50)]
    [InlineData(1, 100)]
    [InlineData(3, 400)]
    [InlineData(6, 3200)]
    [InlineData(7, 5000)]
    [InlineData(1000, 5000)]
    public void Delay_lies_in_the_upper_half_of_the_capped_exponential(int attempt, int capMilliseconds)
    {
        var lowest = ReconnectBackoff.Delay(attempt, Min, Max, 0.0);
        var highest = ReconnectBackoff.Delay(attempt, Min, Max, 0.999999);
        Assert.Equal(capMilliseconds / 2.0, lowest.TotalMilliseconds, 3);
        Assert.InRange(highest.TotalMilliseconds, capMilliseconds * 0.999, capMilliseconds);
    }

    [Fact]
    public void Jitter_spreads_nodes_that_failed_together()
    {
        var delays = Enumerable.Range(0, 100).Select(i => ReconnectBackoff.Delay(4, Min, Max, i / 100.0)).Distinct().Count();
        Assert.Equal(100, delays);
    }
}
