using System.Net;
using EdgeServer.Policy.IpSets;

namespace EdgeServer.Policy.Tests.IpSets;

/// <summary>The set agrees with a linear scan on random prefixes, at every prefix's edges and at random addresses.</summary>
public class IpSetReferenceTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(10, 3)]
    [InlineData(300, 4)]
    [InlineData(3000, 5)]
    public void Agrees_with_a_linear_scan(int prefixCount, int seed)
    {
        var rng = new Random(seed);
        var builder = new IpSetBuilder();
        var naive = new NaiveIpSet();
        var probes = new List<IPAddress>();
        for (int i = 0; i < prefixCount; i++)
        {
            bool v4 = rng.Next(2) == 0;
            int bits = v4 ? 32 : 128;
            int length = IpTestData.RandomLength(rng, bits);
            UInt128 network = (v4 ? IpTestData.RandomV4(rng) : IpTestData.RandomV6(rng)) & IpTestData.Mask(bits, length);
            UInt128 last = network | ~IpTestData.Mask(bits, length) & (UInt128.MaxValue >> (128 - bits));
            builder.Add($"{IpTestData.ToAddress(v4, network)}/{length}");
            naive.Add(v4, network, length);

            // Each prefix's edges and their outside neighbours, where off-by-one and merge mistakes show.
            probes.Add(IpTestData.ToAddress(v4, network));
            probes.Add(IpTestData.ToAddress(v4, last));
            if (network != 0)
                probes.Add(IpTestData.ToAddress(v4, network - 1));
            if (last != UInt128.MaxValue >> (128 - bits))
                probes.Add(IpTestData.ToAddress(v4, last + 1));
        }
        for (int i = 0; i < 20_000; i++)
        {
            bool v4 = rng.Next(2) == 0;
            probes.Add(IpTestData.ToAddress(v4, v4 ? IpTestData.RandomV4(rng) : IpTestData.RandomV6(rng)));
        }

        var set = builder.Build();
        foreach (var address in probes)
        {
            bool expected = naive.Contains(address);
            Assert.True(expected == set.Contains(address), $"{address}: expected {expected}");
            if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
                Assert.True(expected == set.Contains(address.MapToIPv6()), $"{address.MapToIPv6()}: expected {expected}");
        }
    }

    /// <summary>
    /// At sizes where the naive scan is too slow, the bucket index (full 16 bits here) must give the same answer as
    /// plain bisection over the same merged ranges; the tests above already check the merging against the scan.
    /// </summary>
    [Fact]
    public void Bucket_index_agrees_with_plain_bisection_on_a_large_set()
    {
        var rng = new Random(11);
        var builder = new IpSetBuilder();
        for (int i = 0; i < 200_000; i++)
        {
            bool v4 = i % 2 == 0;
            int bits = v4 ? 32 : 128;
            int length = IpTestData.RandomLength(rng, bits);
            UInt128 raw = v4 ? (uint)rng.NextInt64(1L << 32) : new UInt128(0x2000_0000_0000_0000UL | ((ulong)rng.NextInt64() >> 3), (ulong)rng.NextInt64());
            builder.Add($"{IpTestData.ToAddress(v4, raw & IpTestData.Mask(bits, length))}/{length}");
        }
        var set = builder.Build();
        for (int i = 0; i < 200_000; i++)
        {
            uint v4 = (uint)rng.NextInt64(1L << 32);
            Assert.Equal(Bisect(set.V4.Ranges, v4), set.V4.Contains(v4));
            var v6 = new UInt128(0x2000_0000_0000_0000UL | ((ulong)rng.NextInt64() >> 3), (ulong)rng.NextInt64());
            Assert.Equal(Bisect(set.V6.Ranges, v6), set.V6.Contains(v6));
        }
    }

    private static bool Bisect<T>(ReadOnlySpan<KeyRange<T>> ranges, T key) where T : System.Numerics.IBinaryInteger<T>
    {
        int lo = 0, hi = ranges.Length - 1, found = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) / 2;
            if (ranges[mid].First <= key) { found = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        return found >= 0 && key <= ranges[found].Last;
    }

    [Fact]
    public void Default_routes_cover_their_own_family_only()
    {
        var v4All = new IpSetBuilder().Add("0.0.0.0/0").Build();
        Assert.True(v4All.Contains(IPAddress.Parse("0.0.0.0")));
        Assert.True(v4All.Contains(IPAddress.Parse("255.255.255.255")));
        Assert.True(v4All.Contains(IPAddress.Parse("::ffff:198.51.100.7")));
        Assert.False(v4All.Contains(IPAddress.Parse("2001:db8::1")));

        var v6All = new IpSetBuilder().Add("::/0").Build();
        Assert.True(v6All.Contains(IPAddress.Parse("::")));
        Assert.True(v6All.Contains(IPAddress.Parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")));
        Assert.False(v6All.Contains(IPAddress.Parse("198.51.100.7")));
        Assert.False(v6All.Contains(IPAddress.Parse("::ffff:198.51.100.7")));
    }

    [Fact]
    public void Single_addresses_match_only_themselves()
    {
        var set = new IpSetBuilder().Add("192.0.2.1/32").Add("2001:db8::1/128").Add("198.51.100.9").Add("2001:db8::9").Build();
        Assert.True(set.Contains(IPAddress.Parse("192.0.2.1")));
        Assert.False(set.Contains(IPAddress.Parse("192.0.2.0")));
        Assert.False(set.Contains(IPAddress.Parse("192.0.2.2")));
        Assert.True(set.Contains(IPAddress.Parse("2001:db8::1")));
        Assert.False(set.Contains(IPAddress.Parse("2001:db8::2")));
        Assert.True(set.Contains(IPAddress.Parse("198.51.100.9")));
        Assert.True(set.Contains(IPAddress.Parse("2001:db8::9")));
    }

    [Fact]
    public void Adjacent_and_overlapping_blocks_merge_including_at_the_top_of_the_space()
    {
        var set = new IpSetBuilder()
            .Add("10.0.0.0/25").Add("10.0.0.128/25")          // adjacent halves
            .Add("10.1.0.0/16").Add("10.1.2.0/24")            // nested
            .Add("255.255.255.254/32").Add("255.255.255.255/32")
            .Add("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff").Add("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe")
            .Build();
        Assert.Equal(3, set.IPv4Ranges);
        Assert.Equal(1, set.IPv6Ranges);
        Assert.True(set.Contains(IPAddress.Parse("10.0.0.127")));
        Assert.True(set.Contains(IPAddress.Parse("10.0.0.128")));
        Assert.False(set.Contains(IPAddress.Parse("10.0.1.0")));
        Assert.True(set.Contains(IPAddress.Parse("10.1.255.255")));
        Assert.True(set.Contains(IPAddress.Parse("255.255.255.255")));
        Assert.False(set.Contains(IPAddress.Parse("255.255.255.253")));
    }

    [Fact]
    public void Mapped_entries_in_a_file_are_IPv4_entries()
    {
        var set = new IpSetBuilder().Add("::ffff:10.0.0.0/104").Add("::ffff:192.0.2.7").Build();
        Assert.Equal(2, set.IPv4Ranges);
        Assert.Equal(0, set.IPv6Ranges);
        Assert.True(set.Contains(IPAddress.Parse("10.200.0.1")));
        Assert.True(set.Contains(IPAddress.Parse("::ffff:10.200.0.1")));
        Assert.True(set.Contains(IPAddress.Parse("192.0.2.7")));
        Assert.False(set.Contains(IPAddress.Parse("11.0.0.0")));
    }

    [Fact]
    public void Span_lookup_reads_network_order_and_maps_IPv4_in_IPv6()
    {
        var set = new IpSetBuilder().Add("203.0.113.0/24").Add("2001:db8:1::/48").Build();
        Assert.True(set.Contains([203, 0, 113, 5]));
        Assert.False(set.Contains([203, 0, 114, 5]));
        Assert.True(set.Contains([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 203, 0, 113, 5]));
        Assert.False(set.Contains([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 203, 0, 113, 5])); // IPv4-compatible: not mapped
        Assert.True(set.Contains([0x20, 0x01, 0x0d, 0xb8, 0, 1, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 1]));
        Assert.Throws<ArgumentException>(() => set.Contains(new byte[5]));
    }

    [Fact]
    public void Empty_set_contains_nothing()
    {
        Assert.True(IpSet.Empty.IsEmpty);
        Assert.False(IpSet.Empty.Contains(IPAddress.Any));
        Assert.False(IpSet.Empty.Contains(IPAddress.IPv6Any));
        Assert.False(new IpSetBuilder().Build().Contains(IPAddress.Loopback));
    }
}
