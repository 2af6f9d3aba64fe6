using System.Net;
using EdgeServer.Policy.RateLimiting;

namespace EdgeServer.Policy.Tests.RateLimiting;

public class RateLimitKeysTests
{
    private static byte[] Prefix(string address, int v4 = RateLimitKeys.DefaultIPv4PrefixBits, int v6 = RateLimitKeys.DefaultIPv6PrefixBits)
    {
        Span<byte> key = stackalloc byte[RateLimitKeys.MaxLength];
        return key[..RateLimitKeys.WritePrefix(IPAddress.Parse(address), v4, v6, key)].ToArray();
    }

    private static byte[] Client(string address)
    {
        Span<byte> key = stackalloc byte[RateLimitKeys.MaxLength];
        return key[..RateLimitKeys.WriteClientIp(IPAddress.Parse(address), key)].ToArray();
    }

    [Fact]
    public void A_client_key_is_the_whole_address_tagged_with_family_and_length()
    {
        Assert.Equal([4, 32, 192, 0, 2, 7], Client("192.0.2.7"));
        Assert.Equal([6, 128, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], Client("2001:db8::1"));
    }

    [Fact]
    public void An_IPv4_mapped_address_is_keyed_as_the_IPv4_address()
    {
        Assert.Equal(Client("192.0.2.7"), Client("::ffff:192.0.2.7"));
        Assert.Equal(Prefix("192.0.2.7"), Prefix("::ffff:192.0.2.200"));
        Assert.NotEqual(Client("192.0.2.7"), Client("::192.0.2.7"));     // IPv4-compatible is not mapped
    }

    [Fact]
    public void Prefix_keys_drop_the_host_part()
    {
        Assert.Equal([4, 24, 198, 51, 100], Prefix("198.51.100.77"));
        Assert.Equal(Prefix("198.51.100.1"), Prefix("198.51.100.254"));
        Assert.NotEqual(Prefix("198.51.100.1"), Prefix("198.51.101.1"));

        Assert.Equal([6, 64, 0x20, 0x01, 0x0d, 0xb8, 0, 0x01, 0, 0x02], Prefix("2001:db8:1:2:aaaa:bbbb:cccc:dddd"));
        Assert.Equal(Prefix("2001:db8:1:2::1"), Prefix("2001:db8:1:2:ffff::"));
        Assert.NotEqual(Prefix("2001:db8:1:2::1"), Prefix("2001:db8:1:3::1"));
    }

    [Fact]
    public void Lengths_not_on_a_byte_boundary_mask_the_last_byte()
    {
        Assert.Equal([4, 20, 10, 1, 0x20], Prefix("10.1.47.9", v4: 20));
        Assert.Equal(Prefix("10.1.32.0", v4: 20), Prefix("10.1.47.255", v4: 20));
        Assert.Equal([6, 0], Prefix("2001:db8::", v6: 0));
        Assert.Equal([6, 60, 0x20, 0x01, 0x0d, 0xb8, 0, 0x01, 0, 0x00], Prefix("2001:db8:1:f::", v6: 60));
    }

    [Fact]
    public void A_24_key_never_equals_a_whole_address_key()
    {
        Assert.NotEqual(Client("4.24.198.51"), Prefix("198.51.100.9"));
        Assert.Equal(5, Prefix("198.51.100.9").Length);
        Assert.Equal(6, Client("4.24.198.51").Length);
    }

    [Fact]
    public void Clients_without_an_address_share_one_key_and_bad_input_is_refused()
    {
        Span<byte> key = stackalloc byte[RateLimitKeys.MaxLength];
        Assert.Equal(1, RateLimitKeys.WriteClientIp([], key));
        Assert.Equal(0, key[0]);

        byte[] buffer = new byte[RateLimitKeys.MaxLength];
        Assert.Throws<ArgumentException>(() => RateLimitKeys.WriteClientIp([1, 2, 3], buffer));
        Assert.Throws<ArgumentException>(() => RateLimitKeys.WriteClientIp([1, 2, 3, 4], new byte[4]));
        Assert.Throws<ArgumentOutOfRangeException>(() => RateLimitKeys.WritePrefix([1, 2, 3, 4], 33, 64, buffer));
        Assert.Throws<ArgumentOutOfRangeException>(() => RateLimitKeys.WritePrefix([1, 2, 3, 4], 24, 129, buffer));
    }

    [Fact]
    public void A_prefix_limit_makes_a_whole_subnet_share_one_bucket()
    {
        var clock = new ManualClock();
        var limiter = new KeyedRateLimiter(new RateLimitDefinition("per-24", 1, TimeSpan.FromSeconds(1), 3, 64), clock);
        Span<byte> key = stackalloc byte[RateLimitKeys.MaxLength];
        for (int host = 1; host <= 3; host++)
        {
            int length = RateLimitKeys.WritePrefix([203, 0, 113, (byte)host], 24, 64, key);
            Assert.True(limiter.TryAcquire(key[..length]).Allowed);
        }

        int next = RateLimitKeys.WritePrefix([203, 0, 113, 99], 24, 64, key);
        Assert.False(limiter.TryAcquire(key[..next]).Allowed);         // a fourth host of the same /24
        int other = RateLimitKeys.WritePrefix([203, 0, 114, 1], 24, 64, key);
        Assert.True(limiter.TryAcquire(key[..other]).Allowed);         // the neighbouring /24 has its own bucket
    }
}
