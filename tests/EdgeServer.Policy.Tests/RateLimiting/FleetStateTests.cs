using System.Text;
using EdgeServer.Policy.RateLimiting;

namespace EdgeServer.Policy.Tests.RateLimiting;

/// <summary>What global limits need from the local limiter: one identity per key across nodes, and adopting the fleet's state.</summary>
public class FleetStateTests
{
    private const long Second = ManualClock.Frequency;

    private static byte[] Key(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public void Nodes_with_the_same_secret_agree_on_identities_and_others_do_not()
    {
        var a = RateLimitKeyHasher.FromSecret("edge:\nsecret"u8);
        var b = RateLimitKeyHasher.FromSecret("edge:\nsecret"u8);
        var other = RateLimitKeyHasher.FromSecret("edge:\nother"u8);
        Assert.Equal(a.Of(Key("203.0.113.7")), b.Of(Key("203.0.113.7")));
        Assert.NotEqual(a.Of(Key("203.0.113.7")), other.Of(Key("203.0.113.7")));
        Assert.NotEqual(a.Of(Key("203.0.113.7")), a.Of(Key("203.0.113.8")));
        // The process-random hasher of local limits is not the fleet's.
        Assert.NotEqual(a.Of(Key("203.0.113.7")), RateLimitKey.Of(Key("203.0.113.7")));
        Assert.Equal(a.Of(Key("x")), RateLimitKey.FromIdentity(a.Of(Key("x")).Identity));
    }

    [Fact]
    public void Raise_adopts_a_later_state_and_never_moves_back()
    {
        var clock = new ManualClock();
        var limiter = new KeyedRateLimiter(new RateLimitDefinition("g", 1, TimeSpan.FromSeconds(1), 10, 64), clock);
        var key = RateLimitKey.Of(Key("k"));
        Assert.True(limiter.TryAcquire(key, 2, clock.Now).Allowed);             // TAT = now + 2 s
        limiter.Raise(key, clock.Now + 7 * Second, clock.Now);                  // the fleet spent 7
        Assert.Equal(3, limiter.TryAcquire(key, 0, clock.Now).Remaining);
        limiter.Raise(key, clock.Now + 1 * Second, clock.Now);                  // an older view changes nothing
        Assert.Equal(3, limiter.TryAcquire(key, 0, clock.Now).Remaining);
        limiter.Raise(key, clock.Now + 60 * Second, clock.Now);                 // clamped to an empty bucket
        var empty = limiter.TryAcquire(key, 1, clock.Now);
        Assert.False(empty.Allowed);
        Assert.Equal(1, empty.RetryAfterSeconds);
        Assert.Equal(10, empty.ResetSeconds);
    }

    [Fact]
    public void Raise_tracks_a_key_this_node_never_saw_but_not_a_past_state()
    {
        var clock = new ManualClock();
        var limiter = new KeyedRateLimiter(new RateLimitDefinition("g", 1, TimeSpan.FromSeconds(1), 4, 64), clock);
        var key = RateLimitKey.Of(Key("remote"));
        limiter.Raise(key, clock.Now - Second, clock.Now);
        Assert.Equal(0, limiter.CountActiveKeys(clock.Now));
        limiter.Raise(key, clock.Now + 3 * Second, clock.Now);
        Assert.Equal(1, limiter.CountActiveKeys(clock.Now));
        Assert.Equal(1, limiter.TryAcquire(key, 0, clock.Now).Remaining);
        clock.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(4, limiter.TryAcquire(key, 0, clock.Now).Remaining);
    }
}
