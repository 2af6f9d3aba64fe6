using EdgeServer.Policy.RateLimiting;

namespace EdgeServer.Policy.Tests.RateLimiting;

public class GcraCellTests
{
    private const long Second = ManualClock.Frequency;

    private static GcraCell Cell(ManualClock clock, long permits, TimeSpan period, long burst) =>
        new(new GcraRate(new RateLimitDefinition("test", permits, period, burst, 16), clock.TimestampFrequency), clock);

    [Fact]
    public void Grants_the_burst_at_once_then_one_permit_per_interval()
    {
        var clock = new ManualClock();
        var cell = Cell(clock, 10, TimeSpan.FromSeconds(1), burst: 5);   // T = 100 ms

        for (int i = 0; i < 5; i++)
        {
            var granted = cell.TryAcquire();
            Assert.True(granted.Allowed);
            Assert.Equal(4 - i, granted.Remaining);
            Assert.Equal((i + 1) * Second / 10, granted.ResetTicks);
            Assert.Equal(0, granted.RetryAfterSeconds);
        }

        var denied = cell.TryAcquire();
        Assert.False(denied.Allowed);
        Assert.Equal(0, denied.Remaining);
        Assert.Equal(Second / 10, denied.RetryAfterTicks);
        Assert.Equal(1, denied.RetryAfterSeconds);
        Assert.Equal(Second / 2, denied.ResetTicks);

        clock.Advance(Second / 10 - 1);
        Assert.False(cell.TryAcquire().Allowed);
        Assert.Equal(1, cell.TryAcquire().RetryAfterTicks);
        clock.Advance(1);
        Assert.True(cell.TryAcquire().Allowed);
        Assert.False(cell.TryAcquire().Allowed);
    }

    [Fact]
    public void Reports_reset_and_retry_after_in_whole_seconds_rounded_up()
    {
        var clock = new ManualClock();
        var cell = Cell(clock, 1, TimeSpan.FromSeconds(10), burst: 3);   // T = 10 s

        for (int i = 0; i < 3; i++)
            Assert.True(cell.TryAcquire().Allowed);
        clock.Advance(TimeSpan.FromSeconds(4));

        var denied = cell.TryAcquire();
        Assert.False(denied.Allowed);
        Assert.Equal(6, denied.RetryAfterSeconds);
        Assert.Equal(26, denied.ResetSeconds);
        Assert.Equal(0, denied.Remaining);

        clock.Advance(TimeSpan.FromSeconds(5.5));
        denied = cell.TryAcquire();
        Assert.Equal(1, denied.RetryAfterSeconds);      // 0.5 s left: never "Retry-After: 0"
        Assert.Equal(Second / 2, denied.RetryAfterTicks);
        Assert.Equal(21, denied.ResetSeconds);          // 20.5 s

        clock.Advance(TimeSpan.FromSeconds(20.5));
        var fresh = cell.TryAcquire(cost: 0);
        Assert.Equal(3, fresh.Remaining);
        Assert.Equal(0, fresh.ResetSeconds);
    }

    [Fact]
    public void Spends_a_cost_of_n_permits_all_or_nothing()
    {
        var clock = new ManualClock();
        var cell = Cell(clock, 1, TimeSpan.FromSeconds(1), burst: 10);

        var four = cell.TryAcquire(cost: 4);
        Assert.True(four.Allowed);
        Assert.Equal(6, four.Remaining);

        var seven = cell.TryAcquire(cost: 7);
        Assert.False(seven.Allowed);
        Assert.Equal(6, seven.Remaining);                // nothing was taken
        Assert.Equal(Second, seven.RetryAfterTicks);     // one more permit needed

        var six = cell.TryAcquire(cost: 6);
        Assert.True(six.Allowed);
        Assert.Equal(0, six.Remaining);
        Assert.Equal(10 * Second, six.ResetTicks);

        clock.Advance(3 * Second);
        var peek = cell.TryAcquire(cost: 0);             // cost 0 reads without spending
        Assert.True(peek.Allowed);
        Assert.Equal(3, peek.Remaining);
        Assert.Equal(3, cell.TryAcquire(cost: 0).Remaining);

        Assert.Throws<ArgumentOutOfRangeException>(() => cell.TryAcquire(cost: 11));
        Assert.Throws<ArgumentOutOfRangeException>(() => cell.TryAcquire(cost: -1));
        Assert.Equal(3, cell.TryAcquire(cost: 0).Remaining);
    }

    [Fact]
    public void A_clock_jump_forward_refills_and_a_jump_back_only_makes_it_stricter()
    {
        var clock = new ManualClock();
        var cell = Cell(clock, 2, TimeSpan.FromSeconds(1), burst: 4);    // T = 500 ms
        for (int i = 0; i < 4; i++)
            Assert.True(cell.TryAcquire().Allowed);

        clock.Advance(TimeSpan.FromDays(3650));
        var after = cell.TryAcquire();
        Assert.True(after.Allowed);
        Assert.Equal(3, after.Remaining);                // a full bucket, not ten years of permits

        for (int i = 0; i < 3; i++)
            Assert.True(cell.TryAcquire().Allowed);
        long tat = cell.Tat;
        clock.Set(clock.Now - 60 * Second);              // backwards: state is kept, the key waits longer
        var back = cell.TryAcquire();
        Assert.False(back.Allowed);
        Assert.Equal(60 * Second + Second / 2, back.RetryAfterTicks);  // the 60 s it went back, plus the 500 ms it owed
        Assert.Equal(0, back.Remaining);
        Assert.Equal(tat, cell.Tat);
    }

    [Fact]
    public void A_charge_records_remote_consumption_but_never_beyond_an_empty_bucket()
    {
        var clock = new ManualClock();
        var cell = Cell(clock, 1, TimeSpan.FromSeconds(1), burst: 10);

        cell.Charge(3, clock.Now);
        Assert.Equal(7, cell.TryAcquire(cost: 0).Remaining);

        cell.Charge(1_000_000, clock.Now);
        var peek = cell.TryAcquire(cost: 0);
        Assert.Equal(0, peek.Remaining);
        Assert.Equal(10 * Second, peek.ResetTicks);      // locked out for B·T at most

        clock.Advance(10 * Second);
        Assert.Equal(10, cell.TryAcquire(cost: 0).Remaining);
    }

    [Fact]
    public void Eight_threads_at_a_frozen_clock_get_exactly_the_burst()
    {
        // A large burst keeps the threads in the compare-and-swap path long enough for them to collide often.
        for (int round = 0; round < 5; round++)
        {
            var clock = new ManualClock();
            var cell = Cell(clock, 1, TimeSpan.FromSeconds(1), burst: 400_000);
            long allowed = Hammer.Count(threads: 8, attemptsPerThread: 60_000, () => cell.TryAcquire().Allowed);
            Assert.Equal(400_000, allowed);
        }
    }

    [Fact]
    public void Eight_threads_over_a_moving_clock_get_exactly_burst_plus_elapsed_over_interval()
    {
        // The clock moves only after some thread was denied at the current time (the bucket is then empty), and by less
        // than B·T, so the bucket never refills completely and every grant is accounted for: B + ⌊elapsed / T⌋ is then both the upper bound and, once the final denial is seen, exact.
        var clock = new ManualClock();
        var cell = Cell(clock, 1000, TimeSpan.FromSeconds(1), burst: 50);  // T = 1 ms
        long interval = cell.Rate.EmissionInterval;
        long start = clock.Now;
        long allowed = 0;
        long deniedAt = 0;
        bool stop = false;

        var workers = Enumerable.Range(0, 8).Select(_ => new Thread(() =>
        {
            long mine = 0;
            while (!Volatile.Read(ref stop))
            {
                long now = clock.Now;
                if (cell.TryAcquire(1, now).Allowed)
                    mine++;
                else
                    Volatile.Write(ref deniedAt, now);
            }

            Interlocked.Add(ref allowed, mine);
        })).ToArray();
        foreach (var worker in workers)
            worker.Start();

        var random = new Random(5);
        for (int step = 0; step < 2_000; step++)
        {
            SpinUntilDeniedAt(ref deniedAt, clock.Now);
            clock.Advance(random.Next(1, 20) * interval + random.Next(0, (int)interval));  // never a full refill (< B·T)
        }

        SpinUntilDeniedAt(ref deniedAt, clock.Now);
        Volatile.Write(ref stop, true);
        foreach (var worker in workers)
            worker.Join();

        long elapsed = clock.Now - start;
        Assert.Equal(50 + elapsed / interval, allowed);
        Assert.Equal(start + allowed * interval, cell.Tat);   // no update was lost: every grant moved the TAT by T
    }

    /// <summary>Waits for a denial decided at the clock's current reading, not at one the last advance made stale.</summary>
    private static void SpinUntilDeniedAt(ref long deniedAt, long now)
    {
        var spin = new SpinWait();
        while (Volatile.Read(ref deniedAt) != now)
            spin.SpinOnce();
    }

    [Theory]
    [InlineData("", 1, 1, 1, "a rate limit needs a name")]
    [InlineData("x", 0, 1, 1, "rate limit 'x': permits must be at least 1, not 0")]
    [InlineData("x", 1, 0, 1, "rate limit 'x': the period must be positive, not 00:00:00")]
    [InlineData("x", 1, 1, 0, "rate limit 'x': burst must be at least 1, not 0")]
    [InlineData("x", 3_000_000_000, 1, 1, "rate limit 'x': 3000000000 per 00:00:01 is finer than the clock (1000000000 ticks/s)")]
    [InlineData("x", 1, 100_000_000, 100_000_000_000, "rate limit 'x': burst × period / permits exceeds 2305843009213693952 clock ticks")]
    public void Refuses_definitions_it_cannot_enforce(string name, long permits, long periodSeconds, long burst, string expected)
    {
        var definition = new RateLimitDefinition(name, permits, TimeSpan.FromSeconds(periodSeconds), burst, 16);
        Assert.Equal(expected, definition.Validate(ManualClock.Frequency));
        var error = Assert.Throws<ArgumentException>(() => new GcraRate(definition, ManualClock.Frequency));
        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rounds_the_interval_to_the_nearest_tick()
    {
        var third = new GcraRate(new RateLimitDefinition("x", 3, TimeSpan.FromSeconds(1), 1, 1), ManualClock.Frequency);
        Assert.Equal(333_333_333, third.EmissionInterval);
        var twoThirds = new GcraRate(new RateLimitDefinition("x", 3, TimeSpan.FromSeconds(2), 1, 1), ManualClock.Frequency);
        Assert.Equal(666_666_667, twoThirds.EmissionInterval);
        Assert.Equal(2, twoThirds.PeriodSeconds);
        Assert.Equal(3, twoThirds.Permits);
    }
}
