using BenchmarkDotNet.Attributes;
using EdgeServer.Policy.IpSets;

namespace EdgeServer.Benchmarks.Policy;

/// <summary>
/// <see cref="IpSet.Contains(ReadOnlySpan{byte})"/> in a 1,000,000-prefix set (see <see cref="IpSetBenchmarkData"/>),
/// IPv4 and IPv6, for addresses in the set and addresses not in it: the per-connection cost of an IP-set rule at
/// accept. Per lookup, over 1,024 probe addresses; 0 B. Build time and the set's memory: <see cref="IpSetBuildBenchmark"/>.
/// </summary>
[MemoryDiagnoser]
public class IpSetBenchmark
{
    private IpSet _v4 = IpSet.Empty, _v6 = IpSet.Empty;
    private byte[] _v4Hits = [], _v4Misses = [], _v6Hits = [], _v6Misses = [];

    // One family per process: BenchmarkDotNet runs each benchmark in its own process, and building both sets costs seconds.
    [GlobalSetup(Targets = [nameof(IPv4Hit), nameof(IPv4Miss)])]
    public void SetupIPv4()
    {
        var prefixes = IpSetBenchmarkData.IPv4Prefixes();
        _v4 = Build(prefixes);
        _v4Hits = IpSetBenchmarkData.Hits(prefixes, seed: 41);
        _v4Misses = IpSetBenchmarkData.Misses(_v4, ipv4: true, seed: 42);
        Report(_v4, _v4Hits, _v4Misses, 4);
    }

    [GlobalSetup(Targets = [nameof(IPv6Hit), nameof(IPv6Miss)])]
    public void SetupIPv6()
    {
        var prefixes = IpSetBenchmarkData.IPv6Prefixes();
        _v6 = Build(prefixes);
        _v6Hits = IpSetBenchmarkData.Hits(prefixes, seed: 61);
        _v6Misses = IpSetBenchmarkData.Misses(_v6, ipv4: false, seed: 62);
        Report(_v6, _v6Hits, _v6Misses, 16);
    }

    [Benchmark(OperationsPerInvoke = IpSetBenchmarkData.Probes, Description = "1M-prefix set, IPv4, hit")]
    public int IPv4Hit() => Count(_v4, _v4Hits, 4);

    [Benchmark(OperationsPerInvoke = IpSetBenchmarkData.Probes, Description = "1M-prefix set, IPv4, miss")]
    public int IPv4Miss() => Count(_v4, _v4Misses, 4);

    [Benchmark(OperationsPerInvoke = IpSetBenchmarkData.Probes, Description = "1M-prefix set, IPv6, hit")]
    public int IPv6Hit() => Count(_v6, _v6Hits, 16);

    [Benchmark(OperationsPerInvoke = IpSetBenchmarkData.Probes, Description = "1M-prefix set, IPv6, miss")]
    public int IPv6Miss() => Count(_v6, _v6Misses, 16);

    private static IpSet Build(IpPrefix[] prefixes)
    {
        var builder = new IpSetBuilder();
        foreach (var prefix in prefixes) builder.Add(prefix);
        return builder.Build();
    }

    private static int Count(IpSet set, byte[] addresses, int width)
    {
        int found = 0;
        for (int offset = 0; offset < addresses.Length; offset += width)
        {
            if (set.Contains(addresses.AsSpan(offset, width))) found++;
        }
        return found;
    }

    // The probes are what they claim, or the hit and miss figures mean nothing.
    private static void Report(IpSet set, byte[] hits, byte[] misses, int width)
    {
        int hit = Count(set, hits, width), miss = Count(set, misses, width);
        if (hit != IpSetBenchmarkData.Probes || miss != 0) throw new InvalidOperationException($"probe sets are wrong: {hit} hits, {miss} misses found");
        Console.WriteLine($"// {IpSetBenchmarkData.Prefixes:N0} prefixes -> {set.Ranges:N0} ranges after merging");
    }
}
