using System.Net;
using System.Net.Sockets;

namespace EdgeServer.Geo.Tests;

/// <summary>
/// The reader against libmaxminddb on the real country database: 100k random IPv4 and 100k random IPv6 addresses
/// (seeded, so a failure reproduces) through libmaxminddb in bulk, and a sample of them through mmdblookup itself.
/// Compared: found or not, the country, the prefix length, and the fast path.
/// </summary>
public sealed class CountryDifferentialTests
{
    private const int Seed = 20_260_617;
    private static readonly GeoPath CountryCode = GeoPath.Parse("country_code");

    [Fact]
    public void Agrees_with_libmaxminddb_on_200k_random_addresses()
    {
        var addresses = RandomAddresses(new Random(Seed), 100_000, 100_000);
        var expected = LibmaxminddbBatch.Lookup(GeoTestData.Country, addresses.ConvertAll(a => a.ToString()), "country_code");
        using var db = MaxMindDatabase.Open(GeoTestData.Country);
        int found = 0;
        foreach (var address in addresses)
        {
            var oracle = expected[address.ToString()];
            AssertAgrees(db, address, oracle.Value, oracle.Netmask);
            if (oracle.Value is not null) found++;
        }
        // Most IPv4 space is allocated, little of random IPv6 space is: both outcomes are well exercised.
        Assert.InRange(found, 80_000, 180_000);
    }

    [Fact]
    public void Agrees_with_libmaxminddb_on_the_IPv4_only_database()
    {
        var addresses = RandomAddresses(new Random(Seed + 1), 50_000, 0);
        var expected = LibmaxminddbBatch.Lookup(GeoTestData.CountryIPv4, addresses.ConvertAll(a => a.ToString()), "country_code");
        using var db = MaxMindDatabase.Open(GeoTestData.CountryIPv4);
        foreach (var address in addresses)
        {
            var oracle = expected[address.ToString()];
            AssertAgrees(db, address, oracle.Value, oracle.Netmask);
        }
    }

    [Fact]
    public void Agrees_with_mmdblookup_on_a_sample_of_2000()
    {
        var addresses = RandomAddresses(new Random(Seed), 100_000, 100_000);
        var sample = new List<IPAddress>();
        for (int i = 0; i < 1_000; i++)
        {
            sample.Add(addresses[i * 100]);
            sample.Add(addresses[100_000 + i * 100]);
        }
        using var db = MaxMindDatabase.Open(GeoTestData.Country);
        var answers = new Mmdblookup.Answer[sample.Count];
        // One process per address: two at a time, the machine is shared.
        Parallel.For(0, sample.Count, new ParallelOptions { MaxDegreeOfParallelism = 2 },
            i => answers[i] = Mmdblookup.Lookup(GeoTestData.Country, sample[i].ToString(), "country_code"));
        for (int i = 0; i < sample.Count; i++)
        {
            var a = answers[i];
            Assert.False(a.Text.StartsWith("error", StringComparison.Ordinal), $"{sample[i]}: {a.Text}");
            string? value = a.Found ? a.Text.Replace(" <utf8_string>", "", StringComparison.Ordinal).Trim('"') : null;
            // mmdblookup prints no prefix for an address it does not find; then only found-or-not is compared.
            AssertAgrees(db, sample[i], value, a.Found ? a.PrefixLength : -1);
        }
    }

    private static void AssertAgrees(MaxMindDatabase db, IPAddress address, string? expectedValue, int expectedNetmask)
    {
        var result = db.Lookup(address, CountryCode);
        Assert.True(expectedValue == (string?)result.Data, $"{address}: libmaxminddb {expectedValue ?? "(none)"}, we {result.Data ?? "(none)"}");
        if (expectedNetmask >= 0)
        {
            // libmaxminddb counts IPv4 prefixes in an IPv6 tree in IPv6 bits.
            int offset = address.AddressFamily == AddressFamily.InterNetwork && db.Metadata.IPVersion == 6 ? 96 : 0;
            Assert.True(expectedNetmask == result.PrefixLength + offset, $"{address}: libmaxminddb /{expectedNetmask}, we /{result.PrefixLength + offset}");
        }
        bool fast = db.TryLookupCountry(address, CountryCode, out var code);
        Assert.Equal(expectedValue is not null, fast);
        if (fast) Assert.Equal(expectedValue, code.ToString());
    }

    /// <summary>
    /// IPv4: uniform. IPv6: half under the RIRs' busiest /12s (where countries are), a quarter uniform over all of
    /// IPv6, a quarter IPv4-compatible (::a.b.c.d, where this file keeps IPv4). Never ::ffff:0:0/96, where we
    /// deliberately differ (IPv4-mapped addresses are looked up as IPv4: CountryDatabaseTests).
    /// </summary>
    private static List<IPAddress> RandomAddresses(Random random, int v4, int v6)
    {
        var list = new List<IPAddress>(v4 + v6);
        var b4 = new byte[4];
        for (int i = 0; i < v4; i++)
        {
            random.NextBytes(b4);
            list.Add(new IPAddress(b4));
        }
        byte[][] busy = [[0x20, 0x01], [0x24, 0x00], [0x26, 0x00], [0x28, 0x00], [0x2a, 0x00]];
        for (int i = 0; i < v6; i++)
        {
            var b = new byte[16];
            random.NextBytes(b);
            switch (i % 4)
            {
                case 0:
                case 1:
                    var top = busy[random.Next(busy.Length)];
                    b[0] = top[0];
                    b[1] = top[1] != 0 ? top[1] : (byte)(b[1] & 0x0f);
                    break;
                case 2:
                    if (b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0) b[0] = 1; // not ::/96 by chance
                    if (b.AsSpan(0, 10).IndexOfAnyExcept((byte)0) < 0 && b[10] == 0xff && b[11] == 0xff) b[0] = 1;
                    break;
                default:
                    b.AsSpan(0, 12).Clear();
                    break;
            }
            list.Add(new IPAddress(b));
        }
        return list;
    }
}
