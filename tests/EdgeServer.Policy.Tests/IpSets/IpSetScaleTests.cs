using System.Diagnostics;
using System.Net;
using EdgeServer.Policy.IpSets;
using Xunit.Abstractions;

namespace EdgeServer.Policy.Tests.IpSets;

/// <summary>Measurements that other tests' allocations would disturb run alone.</summary>
[CollectionDefinition(nameof(MeasuredAlone), DisableParallelization = true)]
public sealed class MeasuredAlone;

/// <summary>A million blocks: build time, memory held, allocation-free lookups.</summary>
[Collection(nameof(MeasuredAlone))]
public class IpSetScaleTests(ITestOutputHelper output)
{
    [Fact]
    public void A_million_blocks_build_quickly_into_modest_memory()
    {
        var rng = new Random(42);
        var builder = new IpSetBuilder();
        for (int i = 0; i < 750_000; i++)
            builder.Add(IpPrefix.FromAddress(IpTestData.ToAddress(true, (uint)rng.NextInt64(1L << 32))));   // /32s, spread over IPv4
        for (int i = 0; i < 250_000; i++)
        {
            ulong high = 0x2000_0000_0000_0000UL | ((ulong)rng.NextInt64() & 0x1FFF_FFFF_FFFF_0000UL);
            builder.Add($"{IpTestData.ToAddress(false, new UInt128(high, 0))}/48");
        }

        long before = GC.GetTotalMemory(forceFullCollection: true);
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        var set = builder.Build();
        watch.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        long retained = GC.GetTotalMemory(forceFullCollection: true) - before;
        GC.KeepAlive(builder);

        output.WriteLine($"build {watch.ElapsedMilliseconds} ms; {set.IPv4Ranges} IPv4 + {set.IPv6Ranges} IPv6 ranges; " +
            $"arrays {set.ArrayBytes / 1024.0 / 1024:F1} MiB, retained {retained / 1024.0 / 1024:F1} MiB, allocated during build {allocated / 1024.0 / 1024:F1} MiB");
        Assert.InRange(set.IPv4Ranges + set.IPv6Ranges, 900_000, 1_000_000);
        Assert.True(set.ArrayBytes < 16 * 1024 * 1024, $"{set.ArrayBytes} bytes");
        Assert.True(retained < 20 * 1024 * 1024, $"{retained} bytes retained");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"build took {watch.Elapsed}");
    }

    [Fact]
    public void Lookups_allocate_nothing()
    {
        var builder = new IpSetBuilder();
        var rng = new Random(7);
        for (int i = 0; i < 10_000; i++)
            builder.Add(IpPrefix.FromAddress(IpTestData.ToAddress(true, (uint)rng.NextInt64(1L << 32))));
        builder.Add("2001:db8::/32");
        var set = builder.Build();
        byte[] v4 = [192, 0, 2, 1];
        byte[] v6 = IPAddress.Parse("2001:db8::1").GetAddressBytes();
        byte[] mapped = IPAddress.Parse("::ffff:192.0.2.1").GetAddressBytes();
        var v4Address = IPAddress.Parse("192.0.2.1");
        var v6Address = IPAddress.Parse("2001:db8::1");

        int hits = Lookups(set, v4, v6, mapped, v4Address, v6Address, 100);   // warm up (tiering, statics)
        long before = GC.GetAllocatedBytesForCurrentThread();
        hits += Lookups(set, v4, v6, mapped, v4Address, v6Address, 100_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.True(hits > 0);
    }

    private static int Lookups(IpSet set, byte[] v4, byte[] v6, byte[] mapped, IPAddress v4Address, IPAddress v6Address, int rounds)
    {
        int hits = 0;
        for (int i = 0; i < rounds; i++)
        {
            hits += set.Contains(v4) ? 1 : 0;
            hits += set.Contains(v6) ? 1 : 0;
            hits += set.Contains(mapped) ? 1 : 0;
            hits += set.Contains(v4Address) ? 1 : 0;
            hits += set.Contains(v6Address) ? 1 : 0;
        }
        return hits;
    }
}
