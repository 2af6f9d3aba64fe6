using EdgeServer.RateLimiting.Global;

namespace EdgeServer.Tests.RateLimiting.Global;

public sealed class ConsumptionLogTests
{
    [Fact]
    public void Entries_come_out_in_order_and_a_full_ring_drops_and_counts()
    {
        var log = new ConsumptionLog<Spent>(4);
        for (var i = 1; i <= 6; i++) log.TryAdd(new Spent((ulong)i, i));
        Assert.Equal(2, log.Dropped);
        var taken = new List<ulong>();
        while (log.TryTake(out var spent)) taken.Add(spent.Identity);
        Assert.Equal([1UL, 2, 3, 4], taken);
        // Freed cells take new entries.
        Assert.True(log.TryAdd(new Spent(9, 1)));
        Assert.True(log.TryTake(out var next));
        Assert.Equal(9UL, next.Identity);
        Assert.False(log.TryTake(out _));
    }

    [Fact]
    public async Task Concurrent_producers_lose_nothing_while_the_consumer_drains()
    {
        const int producers = 4;
        const int perProducer = 200_000;
        var log = new ConsumptionLog<Spent>(1024);
        var done = 0;
        long taken = 0;
        var perKey = new long[producers];
        var consumer = Task.Run(() =>
        {
            while (true)
            {
                var finished = Volatile.Read(ref done) == producers;
                while (log.TryTake(out var spent))
                {
                    taken += spent.Permits;
                    perKey[spent.Identity]++;
                }
                if (finished) return;
            }
        });
        var added = new long[producers];
        await Task.WhenAll(Enumerable.Range(0, producers).Select(p => Task.Run(() =>
        {
            for (var i = 0; i < perProducer; i++)
            {
                if (log.TryAdd(new Spent((ulong)p, 1))) added[p]++;
            }
            Interlocked.Increment(ref done);
        })));
        await consumer;
        // Every entry that was accepted came out exactly once; the rest were counted as dropped.
        Assert.Equal(added.Sum(), taken);
        Assert.Equal(added, perKey);
        Assert.Equal(producers * (long)perProducer, added.Sum() + log.Dropped);
    }
}
