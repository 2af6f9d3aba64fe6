using BenchmarkDotNet.Attributes;
using EdgeServer.Geo;

namespace EdgeServer.Benchmarks.Geo;

/// <summary>
/// The WAF's geo fast path, <see cref="MaxMindDatabase.TryLookupCountry(ReadOnlySpan{byte}, GeoPath, out CountryCode)"/>,
/// on the real 1.3M-node country database (shared/geo/country): 1,024 random IPv4 addresses, the same as IPv4-mapped
/// IPv6 (what dual-stack sockets report), and 1,024 random IPv6 addresses under the busy RIR blocks. Per lookup; 0 B.
/// perf/geo/run.sh times the same sets with libmaxminddb.
/// </summary>
[MemoryDiagnoser]
public class GeoLookupBenchmark
{
    private MaxMindDatabase _db = null!;
    private GeoPath _path = null!;
    private byte[] _v4 = [], _v4Mapped = [], _v6 = [];

    [GlobalSetup]
    public void Setup()
    {
        _db = MaxMindDatabase.Open(GeoBenchmarkData.CountryDatabase);
        _path = GeoPath.Parse("country_code");
        _v4 = GeoAddressSets.IPv4();
        _v4Mapped = GeoAddressSets.IPv4Mapped();
        _v6 = GeoAddressSets.IPv6();
        // Same counts as mmdb_country's "N of 1024 found": proof that both time the same lookups.
        Console.WriteLine($"// {_db.Path}: {_db.Metadata.NodeCount} nodes; found IPv4 {Lookup(_v4, 4)}, IPv4-mapped {Lookup(_v4Mapped, 16)}, IPv6 {Lookup(_v6, 16)} of {GeoAddressSets.Size}");
    }

    [GlobalCleanup]
    public void Cleanup() => _db.Dispose();

    [Benchmark(OperationsPerInvoke = GeoAddressSets.Size, Description = "country, IPv4")]
    public int CountryIPv4() => Lookup(_v4, 4);

    [Benchmark(OperationsPerInvoke = GeoAddressSets.Size, Description = "country, IPv4-mapped IPv6")]
    public int CountryIPv4Mapped() => Lookup(_v4Mapped, 16);

    [Benchmark(OperationsPerInvoke = GeoAddressSets.Size, Description = "country, IPv6")]
    public int CountryIPv6() => Lookup(_v6, 16);

    private int Lookup(byte[] addresses, int width)
    {
        int found = 0;
        for (int offset = 0; offset < addresses.Length; offset += width)
        {
            if (_db.TryLookupCountry(addresses.AsSpan(offset, width), _path, out var code)) found += code.Value > 0 ? 1 : 0;
        }
        return found;
    }
}
