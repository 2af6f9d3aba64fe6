using System.Net;
using System.Text.Json;

namespace EdgeServer.Geo.Tests;

/// <summary>
/// Whole records and prefix lengths compared with libmaxminddb's mmdblookup on MaxMind's test databases: the first
/// and last address of every network in their JSON sources, as IPv6 and (for ::/96) as IPv4 and IPv4-mapped.
/// </summary>
public sealed class TestDatabaseDifferentialTests
{
    [Theory]
    [InlineData("MaxMind-DB-test-decoder.mmdb")]
    [InlineData("MaxMind-DB-test-pointer-decoder.mmdb")]
    [InlineData("MaxMind-DB-test-ipv4-24.mmdb")]
    [InlineData("MaxMind-DB-test-mixed-24.mmdb")]
    [InlineData("MaxMind-DB-test-ipv6-32.mmdb")]
    [InlineData("GeoIP2-City-Test.mmdb")]
    [InlineData("GeoLite2-ASN-Test.mmdb")]
    public void Records_agree_with_mmdblookup(string file)
    {
        string path = GeoTestData.MaxMindTest(file);
        using var db = MaxMindDatabase.Open(path);
        string[] addresses =
        [
            "1.1.1.0", "1.1.1.1", "1.1.1.3", "1.1.1.17", "1.1.1.33", "81.2.69.160", "89.160.20.112", "2.125.160.216",
            "0.0.0.0", "255.255.255.255", "::1.1.1.1", "::2:0:41", "::1:ffff:ffff", "2001:218::1", "2a02:d280::1",
            "::0.0.0.0", "::255.255.255.255", "2001:db8::1", "ffff::1",
        ];
        int compared = 0;
        foreach (string address in addresses)
        {
            var ip = IPAddress.Parse(address);
            // mmdblookup refuses IPv6 in an IPv4 tree; we answer "not found" there, which is checked elsewhere.
            if (db.Metadata.IPVersion == 4 && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6) continue;
            AssertAgrees(db, path, address);
            compared++;
        }
        Assert.True(compared >= 9);
    }

    [Fact]
    public void GeoIP2_country_agrees_with_mmdblookup_on_every_source_network()
    {
        string path = GeoTestData.MaxMindTest("GeoIP2-Country-Test.mmdb");
        using var db = MaxMindDatabase.Open(path);
        foreach (var (first, last, _) in CountryTestJson.Networks())
        {
            AssertAgrees(db, path, first.ToString());
            AssertAgrees(db, path, last.ToString());
        }
    }

    private static void AssertAgrees(MaxMindDatabase db, string path, string address)
    {
        var expected = Mmdblookup.Lookup(path, address);
        var actual = db.Lookup(IPAddress.Parse(address));
        Assert.True(expected.Found == actual.Found, $"{address}: mmdblookup found={expected.Found} {expected.Text}, we found={actual.Found}");
        if (!expected.Found) return;
        Assert.Equal(expected.Text, Mmdblookup.Render(actual.Data));
        // libmaxminddb counts an IPv4 lookup's prefix in IPv6 bits in an IPv6 tree; we count IPv4 bits.
        int offset = actual.Network.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && db.Metadata.IPVersion == 6 ? 96 : 0;
        Assert.Equal(expected.PrefixLength, actual.PrefixLength + offset);
    }
}
