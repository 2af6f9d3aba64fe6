using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace EdgeServer.Geo.Tests;

/// <summary>Exhaustive: every network of GeoIP2-Country-Test.json, at its first and last address, against its source record.</summary>
public sealed class CountryTestJsonTests
{
    [Fact]
    public void Every_network_gives_its_source_record_prefix_and_country()
    {
        using var db = MaxMindDatabase.Open(GeoTestData.MaxMindTest("GeoIP2-Country-Test.mmdb"));
        int checkedAddresses = 0;
        foreach (var (first, last, record) in CountryTestJson.Networks())
        {
            foreach (var address in (IPAddress[])[first, last])
            {
                var result = db.Lookup(address);
                Assert.True(result.Found, address.ToString());
                using var ours = JsonDocument.Parse(JsonSerializer.Serialize(result.Data));
                Assert.True(JsonElement.DeepEquals(record, ours.RootElement), $"{address}: {ours.RootElement} != {record}");
                Assert.Equal(first, result.Network);

                bool hasCountry = record.TryGetProperty("country", out var country);
                Assert.Equal(hasCountry, db.TryLookupCountry(address, GeoPath.GeoIP2Country, out var code));
                if (hasCountry) Assert.Equal(country.GetProperty("iso_code").GetString(), code.ToString());

                if (IsIPv4Compatible(address))
                {
                    // ::a.b.c.d is where the tree keeps IPv4: the IPv4 and IPv4-mapped forms land on the same record.
                    var v4 = new IPAddress(address.GetAddressBytes()[12..]);
                    var asV4 = db.Lookup(v4);
                    Assert.Equal(result.PrefixLength - 96, asV4.PrefixLength);
                    Assert.Equal(result.Data, asV4.Data, new RecordComparer());
                    Assert.Equal(result.Data, db.Lookup(v4.MapToIPv6()).Data, new RecordComparer());
                }
                checkedAddresses++;
            }
        }
        Assert.Equal(345 * 2, checkedAddresses);
    }

    private static bool IsIPv4Compatible(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 && address.GetAddressBytes().AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0;
}
