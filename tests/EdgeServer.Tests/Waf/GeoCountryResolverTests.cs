using System.Net;
using EdgeServer.Config.Model;
using EdgeServer.Geo.Tests;
using EdgeServer.Waf;

namespace EdgeServer.Tests.Waf;

/// <summary>The resolver's per-thread cache answers repeat clients as the database does, and a reload replaces its answers.</summary>
public sealed class GeoCountryResolverTests
{
    private static ushort Code(string iso) => (ushort)((iso[0] << 8) | iso[1]);

    private static (bool Found, ushort Country) Resolve(GeoCountryResolver geo, string ip)
    {
        var found = geo.TryResolve(IPAddress.Parse(ip).GetAddressBytes(), out var country);
        return (found, country);
    }

    [Fact]
    public void Repeated_lookups_agree_with_the_first_and_a_reload_changes_the_answer()
    {
        using var geo = new GeoCountryResolver();
        geo.Load(new GeoConfig { Database = GeoTestData.MaxMindTest("GeoIP2-Country-Test.mmdb"), CountryPath = "country.iso_code" });
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal((true, Code("GB")), Resolve(geo, "81.2.69.160"));
            Assert.Equal((true, Code("SE")), Resolve(geo, "89.160.20.112"));
            Assert.False(Resolve(geo, "10.1.2.3").Found);   // not in the test database: a cached miss stays a miss
            Assert.Equal((true, Code("GB")), Resolve(geo, "::ffff:81.2.69.160"));
            Assert.False(Resolve(geo, "8.8.8.8").Found);
        }
        // After a reload every answer is the new database's, including addresses cached from the old one.
        geo.Load(new GeoConfig { Database = GeoTestData.Country, CountryPath = "country_code" });
        using var direct = new GeoCountryResolver();
        direct.Load(new GeoConfig { Database = GeoTestData.Country, CountryPath = "country_code" });
        foreach (var ip in (string[])["81.2.69.160", "89.160.20.112", "10.1.2.3", "::ffff:81.2.69.160", "2001:218::1", "8.8.8.8"])
            Assert.Equal(Resolve(direct, ip), Resolve(geo, ip));
        Assert.Equal((true, Code("US")), Resolve(geo, "8.8.8.8"));     // a cached miss of the old database
    }
}
