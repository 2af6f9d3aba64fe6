using System.Diagnostics;
using System.Text;
using BenchmarkDotNet.Attributes;
using EdgeServer.Policy.IpSets;

namespace EdgeServer.Benchmarks.Policy;

/// <summary>
/// What a million-prefix IP set costs to make and to keep: <see cref="IpSetBuilder"/> from parsed prefixes, and
/// <see cref="IpSetFile.Parse"/> from the text of a 1M-line file (the reload path). BenchmarkDotNet's Allocated column
/// is everything a build allocates, scratch included; the setup prints what the finished set retains.
/// </summary>
[MemoryDiagnoser]
public class IpSetBuildBenchmark
{
    private IpPrefix[] _v4 = [], _v6 = [];
    private string _v4File = "";

    [GlobalSetup]
    public void Setup()
    {
        _v4 = IpSetBenchmarkData.IPv4Prefixes();
        _v6 = IpSetBenchmarkData.IPv6Prefixes();
        var text = new StringBuilder(_v4.Length * 16);
        foreach (var prefix in _v4) text.Append(prefix.ToString()).Append('\n');
        _v4File = text.ToString();
        Retained("IPv4", () => BuildIPv4());
        Retained("IPv6", () => BuildIPv6());
    }

    [Benchmark(Description = "build 1M IPv4 prefixes")]
    public IpSet BuildIPv4() => Build(_v4);

    [Benchmark(Description = "build 1M IPv6 prefixes")]
    public IpSet BuildIPv6() => Build(_v6);

    [Benchmark(Description = "parse+build a 1M-line IPv4 file")]
    public IpSet ParseIPv4File() => IpSetFile.Parse(_v4File, "bench.txt").Set!;

    private static IpSet Build(IpPrefix[] prefixes)
    {
        var builder = new IpSetBuilder();
        foreach (var prefix in prefixes) builder.Add(prefix);
        return builder.Build();
    }

    // Heap growth with the builder gone and a full collection: what a loaded set costs for as long as it is in use.
    private static void Retained(string family, Func<IpSet> build)
    {
        long before = GC.GetTotalMemory(forceFullCollection: true);
        var watch = Stopwatch.StartNew();
        var set = build();
        watch.Stop();
        long after = GC.GetTotalMemory(forceFullCollection: true);
        Console.WriteLine($"// {family}: {IpSetBenchmarkData.Prefixes:N0} prefixes -> {set.Ranges:N0} ranges; arrays {set.ArrayBytes / 1048576.0:F1} MiB, " +
            $"retained {(after - before) / 1048576.0:F1} MiB; first build {watch.Elapsed.TotalMilliseconds:F0} ms");
        GC.KeepAlive(set);
    }
}
