using System.Text;
using EdgeServer.Policy.RateLimiting;

namespace EdgeServer.Policy.Tests.RateLimiting;

public class RateLimitKeyTests
{
    [Fact]
    public void Equal_bytes_give_equal_keys_in_every_limiter()
    {
        var clock = new ManualClock();
        var a = new KeyedRateLimiter(new RateLimitDefinition("a", 1, TimeSpan.FromSeconds(1), 2, 16), clock);
        var b = new KeyedRateLimiter(new RateLimitDefinition("b", 1, TimeSpan.FromSeconds(1), 5, 16), clock);
        var key = RateLimitKey.Of("api-key:acme"u8);
        Assert.Equal(key, RateLimitKey.Of(Encoding.UTF8.GetBytes("api-key:acme")));

        a.TryAcquire(key);
        b.TryAcquire(key, cost: 3);
        Assert.Equal(1, a.TryAcquire("api-key:acme"u8, cost: 0).Remaining);   // the span overload lands on the same slot
        Assert.Equal(2, b.TryAcquire("api-key:acme"u8, cost: 0).Remaining);
    }

    [Fact]
    public void A_million_distinct_keys_get_distinct_identities()
    {
        var seen = new HashSet<RateLimitKey>();
        Span<byte> bytes = stackalloc byte[4];
        for (int i = 0; i < 1_000_000; i++)
        {
            BitConverter.TryWriteBytes(bytes, i);
            Assert.True(seen.Add(RateLimitKey.Of(bytes)));
        }

        Assert.True(seen.Add(RateLimitKey.Of([])));
    }

    [Fact]
    public void The_identity_is_keyed_with_a_secret_not_the_zero_key()
    {
        // SipHash-1-3 of the empty string under the all-zero key (see SipHashTests): a process key that happened to be
        // zero, or a hash that ignored its key, would give this.
        Assert.NotEqual(0xd1fba762150c532cUL, RateLimitKey.Of([]).Identity);
    }

    [Fact]
    public void Client_and_prefix_keys_are_the_hashes_of_the_written_bytes()
    {
        byte[] address = [203, 0, 113, 9];
        Assert.Equal(RateLimitKey.Of([4, 32, 203, 0, 113, 9]), RateLimitKey.OfClientIp(address));
        Assert.Equal(RateLimitKey.Of([4, 24, 203, 0, 113]), RateLimitKey.OfPrefix(address));
        Assert.Equal(RateLimitKey.OfClientIp(address), RateLimitKey.OfClientIp([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 203, 0, 113, 9]));
        Assert.NotEqual(RateLimitKey.OfClientIp(address), RateLimitKey.OfPrefix(address));
    }
}
