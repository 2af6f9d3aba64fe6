using System.Net;

namespace EdgeServer.Geo.Tests;

/// <summary>MaxMind's test databases: 24-, 28- and 32-bit records, IPv4, IPv6 and mixed trees, their metadata.</summary>
public sealed class TestDatabaseTests
{
    [Theory]
    [InlineData("MaxMind-DB-test-ipv4-24.mmdb", 24, 4, 163u)]
    [InlineData("MaxMind-DB-test-mixed-24.mmdb", 24, 6, 444u)]
    [InlineData("MaxMind-DB-test-ipv6-32.mmdb", 32, 6, 415u)]
    [InlineData("GeoIP2-Country-Test.mmdb", 28, 6, null)]
    public void Metadata_is_read(string file, int recordSize, int ipVersion, uint? nodeCount)
    {
        using var db = MaxMindDatabase.Open(GeoTestData.MaxMindTest(file));
        var m = db.Metadata;
        Assert.Equal(2ul, m.BinaryFormatMajorVersion);
        Assert.Equal(recordSize, m.RecordSize);
        Assert.Equal(ipVersion, m.IPVersion);
        if (nodeCount is not null) Assert.Equal(nodeCount.Value, m.NodeCount);
        Assert.NotNull(m.BuildTime);
    }

    [Fact]
    public void Test_database_metadata_has_languages_and_descriptions()
    {
        using var db = MaxMindDatabase.Open(GeoTestData.MaxMindTest("MaxMind-DB-test-ipv4-24.mmdb"));
        Assert.Equal("Test", db.Metadata.DatabaseType);
        Assert.Equal(["en", "zh"], db.Metadata.Languages);
        Assert.Equal("Test Database", db.Metadata.Description["en"]);
        Assert.Equal("Test Database Chinese", db.Metadata.Description["zh"]);
    }

    [Theory]
    [InlineData("MaxMind-DB-test-ipv4-24.mmdb", "")]
    [InlineData("MaxMind-DB-test-mixed-24.mmdb", "::")]
    public void IPv4_networks_resolve_to_their_record(string file, string recordPrefix)
    {
        using var db = MaxMindDatabase.Open(GeoTestData.MaxMindTest(file));
        (string Address, string Record, int Prefix)[] cases =
        [
            ("1.1.1.1", "1.1.1.1", 32), ("1.1.1.2", "1.1.1.2", 31), ("1.1.1.3", "1.1.1.2", 31),
            ("1.1.1.4", "1.1.1.4", 30), ("1.1.1.7", "1.1.1.4", 30), ("1.1.1.8", "1.1.1.8", 29),
            ("1.1.1.15", "1.1.1.8", 29), ("1.1.1.16", "1.1.1.16", 28), ("1.1.1.31", "1.1.1.16", 28),
            ("1.1.1.32", "1.1.1.32", 32),
        ];
        foreach (var (address, record, prefix) in cases)
        {
            var result = db.Lookup(IPAddress.Parse(address));
            Assert.True(result.Found, address);
            Assert.Equal(recordPrefix + record, ((Dictionary<string, object?>)result.Data!)["ip"]);
            Assert.Equal(prefix, result.PrefixLength);
            Assert.Equal(IPAddress.Parse(record), result.Network);
            // The same address as a dual-stack socket reports it.
            Assert.Equal(result.Data, db.Lookup(IPAddress.Parse("::ffff:" + address)).Data, new RecordComparer());
        }
        Assert.False(db.Lookup(IPAddress.Parse("1.1.1.33")).Found);
        Assert.False(db.Lookup(IPAddress.Parse("255.254.253.123")).Found);
    }

    [Theory]
    [InlineData("MaxMind-DB-test-ipv6-32.mmdb")]
    [InlineData("MaxMind-DB-test-mixed-24.mmdb")]
    public void IPv6_networks_resolve_to_their_record(string file)
    {
        using var db = MaxMindDatabase.Open(GeoTestData.MaxMindTest(file));
        (string Address, string Record, int Prefix)[] cases =
        [
            ("::1:ffff:ffff", "::1:ffff:ffff", 128), ("::2:0:0", "::2:0:0", 122), ("::2:0:39", "::2:0:0", 122),
            ("::2:0:40", "::2:0:40", 124), ("::2:0:4f", "::2:0:40", 124), ("::2:0:50", "::2:0:50", 125),
            ("::2:0:57", "::2:0:50", 125), ("::2:0:58", "::2:0:58", 127), ("::2:0:59", "::2:0:58", 127),
        ];
        foreach (var (address, record, prefix) in cases)
        {
            var result = db.Lookup(IPAddress.Parse(address));
            Assert.True(result.Found, address);
            Assert.Equal(record, ((Dictionary<string, object?>)result.Data!)["ip"]);
            Assert.Equal(prefix, result.PrefixLength);
            Assert.Equal(IPAddress.Parse(record), result.Network);
        }
        Assert.False(db.Lookup(IPAddress.Parse("::1:ffff:fffe")).Found);
        Assert.False(db.Lookup(IPAddress.Parse("::2:0:60")).Found);
    }

    [Fact]
    public void An_IPv4_tree_has_no_IPv6_networks()
    {
        using var db = MaxMindDatabase.Open(GeoTestData.MaxMindTest("MaxMind-DB-test-ipv4-24.mmdb"));
        var result = db.Lookup(IPAddress.Parse("2001:db8::1"));
        Assert.False(result.Found);
        Assert.Equal(0, result.PrefixLength);
    }

    [Fact]
    public void A_tree_whose_IPv4_subtree_ends_early_gives_every_IPv4_address_that_record()
    {
        using var db = MaxMindDatabase.Open(GeoTestData.MaxMindTest("MaxMind-DB-no-ipv4-search-tree.mmdb"));
        var v4 = db.Lookup(IPAddress.Parse("1.1.1.1"));
        Assert.Equal("::/64", v4.Data);
        Assert.Equal(0, v4.PrefixLength);
        Assert.Equal(IPAddress.Parse("0.0.0.0"), v4.Network);
        var v6 = db.Lookup(IPAddress.Parse("::1.1.1.1"));
        Assert.Equal("::/64", v6.Data);
        Assert.Equal(64, v6.PrefixLength);
    }

    [Fact]
    public void GeoIP2_country_fast_path_reads_iso_code_from_IPv4_IPv4_mapped_6to4_and_IPv6()
    {
        using var db = MaxMindDatabase.Open(GeoTestData.MaxMindTest("GeoIP2-Country-Test.mmdb"));
        foreach (string address in (string[])["81.2.69.160", "::ffff:81.2.69.160", "2002:5102:45a0::1"])
        {
            Assert.True(db.TryLookupCountry(IPAddress.Parse(address), GeoPath.GeoIP2Country, out var code), address);
            Assert.Equal("GB", code.ToString());
        }
        Assert.True(db.TryLookupCountry(IPAddress.Parse("81.2.69.160"), GeoPath.Parse("registered_country.iso_code"), out var registered));
        Assert.Equal(CountryCode.Parse("US"), registered);
        Assert.True(db.TryLookupCountry(IPAddress.Parse("2001:218::1"), GeoPath.GeoIP2Country, out var jp));
        Assert.Equal("JP", jp.ToString());
        Assert.False(db.TryLookupCountry(IPAddress.Parse("8.8.8.8"), GeoPath.GeoIP2Country, out var none));
        Assert.True(none.IsEmpty);
        // A path to a map, or to nothing, is not a country.
        Assert.False(db.TryLookupCountry(IPAddress.Parse("81.2.69.160"), GeoPath.Parse("country"), out _));
        Assert.False(db.TryLookupCountry(IPAddress.Parse("81.2.69.160"), GeoPath.Parse("country.nope"), out _));
        Assert.False(db.TryLookupCountry(IPAddress.Parse("81.2.69.160"), GeoPath.Parse("country.geoname_id"), out _));
    }

    [Fact]
    public void Path_lookup_decodes_the_value_at_the_path_and_indexes_arrays()
    {
        using var db = MaxMindDatabase.Open(GeoTestData.MaxMindTest("MaxMind-DB-test-decoder.mmdb"));
        var address = IPAddress.Parse("::1.1.1.0");
        Assert.Equal(8u, db.Lookup(address, GeoPath.Parse("map.mapX.arrayX.1")).Data);
        Assert.Equal("hello", db.Lookup(address, GeoPath.Parse("map.mapX.utf8_stringX")).Data);
        Assert.False(db.Lookup(address, GeoPath.Parse("map.mapX.arrayX.3")).Found);
        Assert.False(db.Lookup(address, GeoPath.Parse("uint16.x")).Found);
        Assert.True(db.TryLookup(address, GeoPath.Parse("utf8_string"), out var utf8));
        Assert.Equal("unicode! ☯ - ♫", System.Text.Encoding.UTF8.GetString(utf8));
    }

    [Fact]
    public void A_disposed_database_refuses_lookups()
    {
        var db = MaxMindDatabase.Open(GeoTestData.MaxMindTest("MaxMind-DB-test-ipv4-24.mmdb"));
        db.Dispose();
        db.Dispose();
        Assert.Throws<ObjectDisposedException>(() => db.Lookup(IPAddress.Loopback));
    }
}
