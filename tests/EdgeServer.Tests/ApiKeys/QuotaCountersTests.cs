using EdgeServer.ApiKeys;

namespace EdgeServer.Tests.ApiKeys;

public sealed class QuotaCountersTests
{
    [Fact]
    public void A_window_counts_to_its_limit_and_the_next_starts_from_zero()
    {
        var counters = new QuotaCounters();
        Assert.True(counters.TryConsume(7, window: 100, limit: 2, out var remaining));
        Assert.Equal(1, remaining);
        Assert.True(counters.TryConsume(7, 100, 2, out _));
        Assert.False(counters.TryConsume(7, 100, 2, out remaining));
        Assert.Equal(0, remaining);
        Assert.True(counters.TryConsume(7, 101, 2, out remaining));
        Assert.Equal(1, remaining);
    }

    [Fact]
    public void Raise_adopts_the_fleet_total_for_the_same_window_only()
    {
        var counters = new QuotaCounters();
        Assert.True(counters.TryConsume(7, 100, 10, out _));
        counters.Raise(7, 100, 8);                  // the fleet counted 8 in this window
        Assert.True(counters.TryConsume(7, 100, 10, out var remaining));
        Assert.Equal(1, remaining);
        counters.Raise(7, 100, 3);                  // an older total changes nothing
        Assert.True(counters.TryConsume(7, 100, 10, out remaining));
        Assert.Equal(0, remaining);
        counters.Raise(7, 99, 50);                  // a past window's total does not touch the current one
        Assert.False(counters.TryConsume(7, 100, 10, out _));
        counters.Raise(8, 100, 10);                 // a key this node never saw (a restart): exhausted at once
        Assert.False(counters.TryConsume(8, 100, 10, out _));
        counters.Raise(7, 101, 4);                  // a later window replaces the count
        Assert.True(counters.TryConsume(7, 101, 5, out remaining));
        Assert.Equal(0, remaining);
    }
}
