using System.Text;
using EdgeServer.Policy.RateLimiting;

namespace EdgeServer.Policy.Tests.RateLimiting;

public class KeyedRateLimiterTests
{
    private const long Second = ManualClock.Frequency;

    private static KeyedRateLimiter Limiter(ManualClock clock, long burst = 5, int maxKeys = 1024, long permits = 1) =>
        new(new RateLimitDefinition("per-client", permits, TimeSpan.FromSeconds(1), burst, maxKeys), clock);

    private static byte[] Key(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public void Keys_spend_from_their_own_buckets()
    {
        var clock = new ManualClock();
        var limiter = Limiter(clock, burst: 3);
        for (int i = 0; i < 3; i++)
            Assert.True(limiter.TryAcquire(Key("alice")).Allowed);
        var denied = limiter.TryAcquire(Key("alice"));
        Assert.False(denied.Allowed);
        Assert.Equal(1, denied.RetryAfterSeconds);

        var bob = limiter.TryAcquire(Key("bob"));
        Assert.True(bob.Allowed);
        Assert.Equal(2, bob.Remaining);
        Assert.False(bob.Overflowed);
        Assert.Equal(2, limiter.CountActiveKeys(clock.Now));
    }

    [Fact]
    public void Cost_and_charge_move_a_key_by_n_permits()
    {
        var clock = new ManualClock();
        var limiter = Limiter(clock, burst: 10);
        Assert.Equal(6, limiter.TryAcquire(Key("batch"), cost: 4, clock.Now).Remaining);

        limiter.Charge(Key("batch"), 5, clock.Now);             // a tracked key
        Assert.Equal(1, limiter.TryAcquire(Key("batch"), cost: 0, clock.Now).Remaining);

        limiter.Charge(Key("remote-only"), 7, clock.Now);       // a key this node never saw
        Assert.Equal(3, limiter.TryAcquire(Key("remote-only"), cost: 0, clock.Now).Remaining);
        Assert.Throws<ArgumentOutOfRangeException>(() => limiter.TryAcquire(Key("batch"), cost: 11));
    }

    [Fact]
    public void Reading_an_unknown_key_with_cost_zero_does_not_track_it()
    {
        var clock = new ManualClock();
        var limiter = Limiter(clock, burst: 4);
        var peek = limiter.TryAcquire(Key("new"), cost: 0);
        Assert.True(peek.Allowed);
        Assert.Equal(4, peek.Remaining);
        Assert.Equal(0, peek.ResetTicks);
        Assert.Equal(0, limiter.CountActiveKeys(clock.Now));
    }

    [Fact]
    public void Holds_a_fixed_number_of_slots_set_by_max_keys()
    {
        var clock = new ManualClock();
        var limiter = Limiter(clock, maxKeys: 1000);
        Assert.Equal(2048, limiter.Capacity);                   // 2 × max keys, rounded up to a power of two
        Assert.Equal(2048 * 16 + 128 * 4, limiter.MemoryBytes);
        Assert.Equal(16, Limiter(clock, maxKeys: 1).Capacity);  // at least one group
    }

    [Fact]
    public void An_idle_key_gives_its_slot_to_a_new_key_and_comes_back_with_a_full_bucket()
    {
        // max keys 8: one group of 16 slots, so every key competes for the same slots.
        var clock = new ManualClock();
        var limiter = Limiter(clock, burst: 2, maxKeys: 8);
        Assert.Equal(KeyedRateLimiter.GroupSize, limiter.Capacity);
        for (int i = 0; i < 16; i++)
            Assert.True(limiter.TryAcquire(Key($"old-{i}")).Allowed);
        Assert.Equal(16, limiter.CountActiveKeys(clock.Now));

        Assert.True(limiter.TryAcquire(Key("new-0")).Overflowed);   // no room while the old keys are active

        clock.Advance(Second);                                       // one permit back: every old key is full again
        Assert.Equal(0, limiter.CountActiveKeys(clock.Now));
        for (int i = 0; i < 16; i++)
        {
            var decision = limiter.TryAcquire(Key($"new-{i}"));
            Assert.True(decision.Allowed);
            Assert.False(decision.Overflowed);
            Assert.Equal(1, decision.Remaining);
        }

        var returning = limiter.TryAcquire(Key("old-3"));           // its slot is gone; its state was a full bucket
        Assert.True(returning.Overflowed);
        Assert.Equal(2, limiter.OverflowDecisions);                 // "new-0" earlier, "old-3" now
    }

    [Fact]
    public void An_active_key_keeps_its_state_while_idle_neighbours_are_replaced()
    {
        var clock = new ManualClock();
        var limiter = Limiter(clock, burst: 100, maxKeys: 8);
        Assert.True(limiter.TryAcquire(Key("steady"), cost: 60, clock.Now).Allowed);
        for (int round = 0; round < 20; round++)
        {
            for (int i = 0; i < 15; i++)
                Assert.False(limiter.TryAcquire(Key($"churn-{round}-{i}")).Overflowed);
            clock.Advance(Second);                                   // the churn keys go idle, "steady" refills by 1
        }

        Assert.Equal(60, limiter.TryAcquire(Key("steady"), cost: 0, clock.Now).Remaining);
        Assert.Equal(0, limiter.OverflowDecisions);
    }

    [Fact]
    public void At_the_cap_a_flood_of_new_keys_shares_one_overflow_bucket_and_tracked_keys_keep_theirs()
    {
        var clock = new ManualClock();
        var limiter = Limiter(clock, burst: 10, maxKeys: 8);
        for (int i = 0; i < 16; i++)
            Assert.True(limiter.TryAcquire(Key($"tracked-{i}"), cost: 5, clock.Now).Allowed);

        int floodAllowed = 0;
        for (int i = 0; i < 10_000; i++)
        {
            var decision = limiter.TryAcquire(Key($"flood-{i}"));
            Assert.True(decision.Overflowed);
            if (decision.Allowed)
                floodAllowed++;
        }

        Assert.Equal(10, floodAllowed);                     // the whole flood got one key's burst, not 10 000 bursts
        Assert.Equal(10_000, limiter.OverflowDecisions);
        for (int i = 0; i < 16; i++)
        {
            var tracked = limiter.TryAcquire(Key($"tracked-{i}"), cost: 5, clock.Now);
            Assert.True(tracked.Allowed);
            Assert.False(tracked.Overflowed);
        }

        Assert.Equal(16, limiter.CountActiveKeys(clock.Now));
    }

    [Fact]
    public void Tracks_max_keys_random_keys_with_almost_none_overflowing()
    {
        // Groups fill like Poisson bins: at max keys (mean load 8 of 16) about 0.08% of keys find their group full.
        var clock = new ManualClock();
        const int maxKeys = 1 << 16;
        var limiter = Limiter(clock, burst: 1, maxKeys: maxKeys);
        Span<byte> key = stackalloc byte[4];
        for (int i = 0; i < maxKeys; i++)
        {
            BitConverter.TryWriteBytes(key, i);
            var decision = limiter.TryAcquire(key, 1, clock.Now);
            Assert.True(decision.Allowed || decision.Overflowed);
        }

        Assert.InRange(limiter.OverflowDecisions, 0, maxKeys / 250);   // < 0.4%, five times the expectation
        Assert.Equal(maxKeys - limiter.OverflowDecisions, limiter.CountActiveKeys(clock.Now));
    }

    [Fact]
    public void Eight_threads_on_one_new_key_at_a_frozen_clock_get_exactly_the_burst()
    {
        // A new key each round, so the threads also race to insert it: a second slot for the key would double its burst.
        var clock = new ManualClock();
        var limiter = Limiter(clock, burst: 50_000, maxKeys: 64);
        for (int round = 0; round < 10; round++)
        {
            byte[] key = Key($"hot-{round}");
            long allowed = Hammer.Count(threads: 8, attemptsPerThread: 10_000, () => limiter.TryAcquire(key, 1, clock.Now).Allowed);
            Assert.Equal(50_000, allowed);
        }

        Assert.Equal(0, limiter.OverflowDecisions);
    }

    /// <summary>
    /// An identity in a chosen group: the low bits pick the slot (group × 16 + start), the high bits tell keys apart.
    /// Lets a test fill groups exactly; the production path hashes byte keys into identities the same way.
    /// </summary>
    private static ulong InGroup(int group, int name) =>
        ((ulong)(name + 1) << 32) | (uint)(group * KeyedRateLimiter.GroupSize + name % KeyedRateLimiter.GroupSize);

    [Fact]
    public void Eviction_racing_with_hits_loses_and_invents_no_permit()
    {
        // 64 groups with 20 names each. Each round the clock jumps so every key is idle, then 8 threads hit 16 names per
        // group together: a name whose slot another name reclaims while a thread is mid-hit on it must move, neither
        // keeping that hit nor spending the newcomer's permit. At a frozen clock each key gets exactly its burst, from
        // one slot. (Checked against mutants: without the Claiming mark, or without the claim lock, this fails.)
        var clock = new ManualClock();
        const int burst = 4, groups = 64;
        var limiter = Limiter(clock, burst: burst, maxKeys: groups * KeyedRateLimiter.GroupSize / 2);
        Assert.Equal(groups * KeyedRateLimiter.GroupSize, limiter.Capacity);
        var random = new Random(11);
        for (int round = 0; round < 100; round++)
        {
            clock.Advance(10 * burst * Second);
            ulong[] keys = Enumerable.Range(0, groups)
                .SelectMany(g => Enumerable.Range(0, 20).OrderBy(_ => random.Next()).Take(16).Select(name => InGroup(g, name)))
                .ToArray();
            long[] allowed = new long[keys.Length];
            int next = -1;
            Hammer.Count(threads: 8, attemptsPerThread: keys.Length * 2 * burst / 8, () =>
            {
                int k = (int)((uint)Interlocked.Increment(ref next) % (uint)keys.Length);
                if (!limiter.Decide(keys[k], 1, clock.Now, charge: false).Allowed)
                    return false;
                Interlocked.Increment(ref allowed[k]);
                return true;
            });

            Assert.All(allowed, count => Assert.Equal(burst, count));
            Assert.All(keys, key => Assert.Equal(1, limiter.SlotsHolding(key)));
        }

        Assert.Equal(0, limiter.OverflowDecisions);
    }
}
