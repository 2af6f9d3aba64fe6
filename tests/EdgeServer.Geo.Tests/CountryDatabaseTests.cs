using System.Net;

namespace EdgeServer.Geo.Tests;

/// <summary>The real 1.3-million-node country database: flat <c>country_code</c> records and the IPv4-mapped trap.</summary>
public sealed class CountryDatabaseTests
{
    private static readonly GeoPath CountryCodePath = GeoPath.Parse("country_code");

    [Fact]
    public void Opens_the_full_size_database()
    {
        using var db = MaxMindDatabase.Open(GeoTestData.Country);
        Assert.Equal(6, db.Metadata.IPVersion);
        Assert.Equal(24, db.Metadata.RecordSize);
        Assert.True(db.Metadata.NodeCount > 1_000_000);
    }

    [Fact]
    public void IPv4_mapped_addresses_are_looked_up_as_IPv4()
    {
        // In this file ::ffff:0:0/96 and 2002::/16 hold nothing: only ::a.b.c.d leads to the IPv4 data. A dual-stack
        // listener sees every IPv4 client as ::ffff:a.b.c.d, so without the mapping no IPv4 client has a country.
        using var db = MaxMindDatabase.Open(GeoTestData.Country);
        foreach (string address in (string[])["8.8.8.8", "::ffff:8.8.8.8", "::8.8.8.8"])
        {
            Assert.True(db.TryLookupCountry(IPAddress.Parse(address), CountryCodePath, out var code), address);
            Assert.Equal("US", code.ToString());
        }
        Assert.False(db.TryLookupCountry(IPAddress.Parse("2002:0808:0808::1"), CountryCodePath, out _));

        var mapped = db.Lookup(IPAddress.Parse("::ffff:8.8.8.8"));
        Assert.Equal(IPAddress.Parse("8.8.8.8").AddressFamily, mapped.Network.AddressFamily);
        Assert.Equal(db.Lookup(IPAddress.Parse("8.8.8.8")).ToString(), mapped.ToString());
        Assert.Equal("US", ((Dictionary<string, object?>)mapped.Data!)["country_code"]);
    }

    [Fact]
    public void Span_lookups_accept_4_and_16_byte_addresses()
    {
        using var db = MaxMindDatabase.Open(GeoTestData.Country);
        Assert.True(db.TryLookupCountry([8, 8, 8, 8], CountryCodePath, out var v4));
        Assert.True(db.TryLookupCountry([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 8, 8, 8, 8], CountryCodePath, out var mapped));
        Assert.Equal(v4, mapped);
        Assert.Throws<ArgumentException>(() => db.TryLookupCountry([1, 2, 3], CountryCodePath, out _));
    }

    [Fact]
    public void Private_and_loopback_addresses_have_no_country()
    {
        // Not 192.168.0.0/16 or 172.16.0.0/12: this file (real data, not ground truth) gives them countries, as mmdblookup does.
        using var db = MaxMindDatabase.Open(GeoTestData.Country);
        foreach (string address in (string[])["10.1.2.3", "100.64.0.1", "169.254.1.1", "127.0.0.1", "::1", "fe80::1", "::ffff:10.0.0.1"])
            Assert.False(db.TryLookupCountry(IPAddress.Parse(address), CountryCodePath, out _), address);
    }

    [Fact]
    public void The_IPv4_only_database_agrees_with_the_combined_one()
    {
        using var combined = MaxMindDatabase.Open(GeoTestData.Country);
        using var v4only = MaxMindDatabase.Open(GeoTestData.CountryIPv4);
        Assert.Equal(4, v4only.Metadata.IPVersion);
        var random = new Random(7);
        Span<byte> address = stackalloc byte[4];
        for (int i = 0; i < 20_000; i++)
        {
            random.NextBytes(address);
            bool a = combined.TryLookupCountry(address, CountryCodePath, out var ca);
            bool b = v4only.TryLookupCountry(address, CountryCodePath, out var cb);
            Assert.True(a == b && ca == cb, $"{new IPAddress(address)}: {ca} vs {cb}");
        }
    }

    [Fact]
    public void The_country_fast_path_allocates_nothing()
    {
        using var db = MaxMindDatabase.Open(GeoTestData.Country);
        var addresses = new IPAddress[256];
        var random = new Random(3);
        for (int i = 0; i < addresses.Length; i++)
        {
            var bytes = new byte[i % 2 == 0 ? 4 : 16];
            random.NextBytes(bytes);
            if (i % 4 == 1) bytes[0] = 0x2a; // inside allocated IPv6 space, so some IPv6 lookups find a country
            addresses[i] = new IPAddress(bytes);
        }
        var geoIP2 = GeoPath.GeoIP2Country;
        int found = Run(db, addresses, CountryCodePath) + Run(db, addresses, geoIP2); // warm up (JIT, tiering)

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int round = 0; round < 20; round++) found += Run(db, addresses, CountryCodePath);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.True(found > 1000);
    }

    private static int Run(MaxMindDatabase db, IPAddress[] addresses, GeoPath path)
    {
        int found = 0;
        foreach (var address in addresses)
        {
            if (db.TryLookupCountry(address, path, out _)) found++;
        }
        return found;
    }
}
