using System.Net;

namespace EdgeServer.Geo.Tests;

/// <summary>MaxMind-DB-test-decoder.mmdb holds every data type, at ordinary, zero and maximum values.</summary>
public sealed class DecoderTests
{
    private static Dictionary<string, object?> Record(string file, string address)
    {
        using var db = MaxMindDatabase.Open(GeoTestData.MaxMindTest(file));
        var result = db.Lookup(IPAddress.Parse(address));
        Assert.True(result.Found);
        return Assert.IsType<Dictionary<string, object?>>(result.Data);
    }

    [Fact]
    public void Every_type_decodes_to_its_NET_value()
    {
        var r = Record("MaxMind-DB-test-decoder.mmdb", "::1.1.1.0");
        Assert.Equal([1u, 2u, 3u], Assert.IsType<List<object?>>(r["array"]));
        Assert.Equal(true, r["boolean"]);
        Assert.Equal(new byte[] { 0, 0, 0, 42 }, r["bytes"]);
        Assert.Equal(42.123456, r["double"]);
        Assert.Equal(1.1f, r["float"]);
        Assert.Equal(-268435456, r["int32"]);
        var mapX = Assert.IsType<Dictionary<string, object?>>(Assert.IsType<Dictionary<string, object?>>(r["map"])["mapX"]);
        Assert.Equal([7u, 8u, 9u], Assert.IsType<List<object?>>(mapX["arrayX"]));
        Assert.Equal("hello", mapX["utf8_stringX"]);
        Assert.Equal(UInt128.One << 120, r["uint128"]);
        Assert.Equal((ushort)100, r["uint16"]);
        Assert.Equal(268435456u, r["uint32"]);
        Assert.Equal(1152921504606846976ul, r["uint64"]);
        Assert.Equal("unicode! ☯ - ♫", r["utf8_string"]);
    }

    [Fact]
    public void Zero_values_and_empty_containers_decode()
    {
        var r = Record("MaxMind-DB-test-decoder.mmdb", "::0.0.0.0");
        Assert.Empty(Assert.IsType<List<object?>>(r["array"]));
        Assert.Equal(false, r["boolean"]);
        Assert.Empty(Assert.IsType<byte[]>(r["bytes"]));
        Assert.Equal(0.0, r["double"]);
        Assert.Equal(0f, r["float"]);
        Assert.Equal(0, r["int32"]);
        Assert.Empty(Assert.IsType<Dictionary<string, object?>>(r["map"]));
        Assert.Equal(UInt128.Zero, r["uint128"]);
        Assert.Equal((ushort)0, r["uint16"]);
        Assert.Equal(0u, r["uint32"]);
        Assert.Equal(0ul, r["uint64"]);
        Assert.Equal("", r["utf8_string"]);
    }

    [Fact]
    public void Maximum_values_decode()
    {
        var r = Record("MaxMind-DB-test-decoder.mmdb", "::255.255.255.255");
        Assert.Equal(double.PositiveInfinity, r["double"]);
        Assert.Equal(float.PositiveInfinity, r["float"]);
        Assert.Equal(int.MaxValue, r["int32"]);
        Assert.Equal(UInt128.MaxValue, r["uint128"]);
        Assert.Equal(ushort.MaxValue, r["uint16"]);
        Assert.Equal(uint.MaxValue, r["uint32"]);
        Assert.Equal(ulong.MaxValue, r["uint64"]);
    }

    [Fact]
    public void Pointers_in_records_and_in_metadata_are_followed()
    {
        // The pointer decoder database shares its values through pointers (whole records agree with mmdblookup: see
        // TestDatabaseDifferentialTests); its strings and containers come back intact.
        var r = Record("MaxMind-DB-test-pointer-decoder.mmdb", "::1.1.1.0");
        Assert.Equal("unicode! ☯ - ♫", r["utf8_string"]);
        Assert.Equal([7u, 8u, 9u], (List<object?>)((Dictionary<string, object?>)((Dictionary<string, object?>)r["map"]!)["mapX"]!)["arrayX"]!);
        using var db = MaxMindDatabase.Open(GeoTestData.MaxMindTest("MaxMind-DB-test-metadata-pointers.mmdb"));
        Assert.NotEmpty(db.Metadata.Languages);
        Assert.NotEmpty(db.Metadata.Description);
    }
}
