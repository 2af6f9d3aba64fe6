using System.Net;
using System.Text.Json;
using EdgeServer.EndToEnd.Tests.Infrastructure;

namespace EdgeServer.EndToEnd.Tests.Geo;

/// <summary>
/// `edge geo lookup`, run as an operator runs it, against libmaxminddb's `mmdblookup` on MaxMind's test databases:
/// the same records value by value, the same network prefix, the same "not found"; and a clear exit 1 on bad input.
/// </summary>
public sealed class GeoLookupCliTests
{
    private static string EdgeDll => Path.Combine(AppContext.BaseDirectory, "edge.dll");

    private static Task<(int Exit, string Out, string Err)> Edge(params string[] args) => ExternalTool.RunAsync("dotnet", [EdgeDll, "geo", "lookup", .. args]);

    private static Task<(int Exit, string Out, string Err)> Mmdblookup(string db, string ip, params string[] path) =>
        ExternalTool.RunAsync("mmdblookup", ["-v", "--file", db, "--ip", ip, .. path]);

    [Theory]
    [InlineData("GeoIP2-City-Test.mmdb", "81.2.69.160")]
    [InlineData("GeoIP2-City-Test.mmdb", "2.125.160.216")]
    [InlineData("GeoIP2-City-Test.mmdb", "89.160.20.112")]
    [InlineData("GeoIP2-City-Test.mmdb", "2001:218::1")]
    [InlineData("GeoIP2-Country-Test.mmdb", "81.2.69.160")]
    [InlineData("GeoIP2-Country-Test.mmdb", "2002:5102:45a0::1")]
    [InlineData("GeoLite2-ASN-Test.mmdb", "1.128.0.0")]
    [InlineData("MaxMind-DB-test-decoder.mmdb", "1.1.1.1")]
    [InlineData("MaxMind-DB-test-decoder.mmdb", "::1.1.1.1")]
    [InlineData("MaxMind-DB-test-ipv4-24.mmdb", "1.1.1.3")]
    public async Task Record_and_network_agree_with_mmdblookup(string file, string ip)
    {
        string db = EdgeServer.Geo.Tests.GeoTestData.MaxMindTest(file);
        var reference = await Mmdblookup(db, ip);
        Assert.True(reference.Exit == 0, $"mmdblookup: {reference.Err}");
        var (exit, stdout, stderr) = await Edge(ip, "--db", db);
        Assert.True(exit == 0, stderr);

        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.Equal(ip, root.GetProperty("ip").GetString());
        MmdblookupOutput.AssertSame(MmdblookupOutput.Parse(reference.Out), root.GetProperty("record"));

        // The network holds the address, and its length is libmaxminddb's (which counts IPv4 in IPv6 bits in an IPv6 tree).
        var network = IPNetwork.Parse(root.GetProperty("network").GetString()!);
        Assert.True(network.Contains(IPAddress.Parse(ip)), $"{network} does not hold {ip}");
        bool ipv4InIPv6Tree = network.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork &&
            reference.Out.Contains("IP version:    IPv6", StringComparison.Ordinal);
        Assert.Equal(MmdblookupOutput.PrefixLength(reference.Out), network.PrefixLength + (ipv4InIPv6Tree ? 96 : 0));
    }

    [Theory]
    [InlineData("GeoIP2-City-Test.mmdb", "81.2.69.160", "country.iso_code")]
    [InlineData("GeoIP2-City-Test.mmdb", "81.2.69.160", "city.names")]
    [InlineData("GeoIP2-City-Test.mmdb", "81.2.69.160", "location.latitude")]
    [InlineData("GeoIP2-City-Test.mmdb", "2.125.160.216", "subdivisions.0.iso_code")]
    [InlineData("GeoIP2-City-Test.mmdb", "2.125.160.216", "subdivisions")]
    [InlineData("MaxMind-DB-test-decoder.mmdb", "1.1.1.1", "uint128")]
    [InlineData("MaxMind-DB-test-decoder.mmdb", "1.1.1.1", "bytes")]
    [InlineData("MaxMind-DB-test-decoder.mmdb", "1.1.1.1", "float")]
    [InlineData("MaxMind-DB-test-decoder.mmdb", "1.1.1.1", "uint64")]
    [InlineData("MaxMind-DB-test-decoder.mmdb", "1.1.1.1", "array.2")]
    [InlineData("MaxMind-DB-test-decoder.mmdb", "1.1.1.1", "map.mapX")]
    public async Task Path_value_agrees_with_mmdblookup(string file, string ip, string path)
    {
        string db = EdgeServer.Geo.Tests.GeoTestData.MaxMindTest(file);
        var reference = await Mmdblookup(db, ip, path.Split('.'));
        Assert.True(reference.Exit == 0, $"mmdblookup: {reference.Err}");
        var (exit, stdout, stderr) = await Edge(ip, "--db", db, "--path", path);
        Assert.True(exit == 0, stderr);

        var expected = MmdblookupOutput.Parse(reference.Out);
        if (expected is MmdblookupOutput.ScalarNode { Type: "utf8_string" } text)
        {
            Assert.Equal(text.Text + "\n", stdout); // strings print bare, for shell scripts
            return;
        }
        using var json = JsonDocument.Parse(stdout);
        MmdblookupOutput.AssertSame(expected, json.RootElement);
    }

    [Theory]
    [InlineData("GeoIP2-Country-Test.mmdb", "8.8.8.8")]
    [InlineData("GeoIP2-City-Test.mmdb", "2001:db8::1")]
    [InlineData("MaxMind-DB-test-ipv4-24.mmdb", "1.1.1.64")]
    public async Task Not_found_exits_1_as_mmdblookup_finds_nothing(string file, string ip)
    {
        string db = EdgeServer.Geo.Tests.GeoTestData.MaxMindTest(file);
        var reference = await Mmdblookup(db, ip);
        Assert.Contains("Could not find an entry", reference.Err + reference.Out, StringComparison.Ordinal);
        var (exit, stdout, stderr) = await Edge(ip, "--db", db);
        Assert.Equal(1, exit);
        Assert.Equal("", stdout);
        Assert.Contains($"{ip} is not in {db}", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_path_exits_1_naming_the_path_and_the_network()
    {
        string db = EdgeServer.Geo.Tests.GeoTestData.MaxMindTest("GeoIP2-City-Test.mmdb");
        var reference = await Mmdblookup(db, "81.2.69.160", "country", "no_such_key");
        Assert.NotEqual(0, reference.Exit);
        var (exit, stdout, stderr) = await Edge("81.2.69.160", "--db", db, "--path", "country.no_such_key");
        Assert.Equal(1, exit);
        Assert.Equal("", stdout);
        Assert.Contains("the record for 81.2.69.160 (network 81.2.69.160/27) has no value at 'country.no_such_key'", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_IPv4_mapped_address_is_looked_up_as_IPv4_on_the_real_country_database()
    {
        // The README's trap: libmaxminddb finds nothing for ::ffff:8.8.8.8 in this file; the server (and so this
        // command) looks it up as 8.8.8.8, because that is what a dual-stack socket reports for an IPv4 client.
        string db = Path.Combine(EdgeServer.Geo.Tests.GeoTestData.Root, "country", "geo-whois-asn-country.mmdb");
        var reference = await Mmdblookup(db, "8.8.8.8", "country_code");
        Assert.Contains("\"US\" <utf8_string>", reference.Out, StringComparison.Ordinal);
        foreach (string ip in (string[])["8.8.8.8", "::ffff:8.8.8.8"])
        {
            var (exit, stdout, stderr) = await Edge(ip, "--db", db, "--path", "country_code");
            Assert.True(exit == 0, stderr);
            Assert.Equal("US\n", stdout);
        }
    }

    [Theory]
    [InlineData("10.1", "is not an IP address: expected 4 octets, found 2")]
    [InlineData("010.0.0.1", "leading zero")]
    [InlineData("81.2.69.0/24", "give one address, not a network")]
    [InlineData("example.com", "is not an IP address")]
    [InlineData("2001:db8::1::2", "is not an IP address")]
    public async Task A_bad_address_exits_1_with_the_reason(string ip, string reason)
    {
        var (exit, stdout, stderr) = await Edge(ip, "--db", EdgeServer.Geo.Tests.GeoTestData.MaxMindTest("GeoIP2-City-Test.mmdb"));
        Assert.Equal(1, exit);
        Assert.Equal("", stdout);
        Assert.StartsWith($"edge geo lookup: '{ip}' is not an IP address", stderr, StringComparison.Ordinal);
        Assert.Contains(reason, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_corrupt_and_unnamed_databases_exit_1_with_a_clear_message()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"edge-geo-missing-{Guid.NewGuid():N}.mmdb");
        var (exit, stdout, stderr) = await Edge("81.2.69.160", "--db", missing);
        Assert.Equal((1, ""), (exit, stdout));
        Assert.Contains($"cannot open {missing}", stderr, StringComparison.Ordinal);

        var text = Path.Combine(Path.GetTempPath(), $"edge-geo-text-{Guid.NewGuid():N}.mmdb");
        await File.WriteAllTextAsync(text, "not a database\n");
        try
        {
            (exit, stdout, stderr) = await Edge("81.2.69.160", "--db", text);
            Assert.Equal((1, ""), (exit, stdout));
            Assert.Contains($"{text}: no metadata marker", stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(text);
        }

        string badTree = EdgeServer.Geo.Tests.GeoTestData.MaxMindTest("GeoIP2-City-Test-Invalid-Node-Count.mmdb");
        (exit, stdout, stderr) = await Edge("81.2.69.160", "--db", badTree);
        Assert.Equal((1, ""), (exit, stdout));
        Assert.Contains($"cannot use the database: {badTree}: invalid metadata", stderr, StringComparison.Ordinal);

        // Opens fine; the record itself nests past the decoder's depth bound.
        string deep = Path.Combine(EdgeServer.Geo.Tests.GeoTestData.Root, "maxmind-test", "bad-data", "libmaxminddb", "libmaxminddb-deep-nesting.mmdb");
        (exit, stdout, stderr) = await Edge("1.1.1.1", "--db", deep);
        Assert.Equal((1, ""), (exit, stdout));
        Assert.Contains($"corrupt database: {deep}", stderr, StringComparison.Ordinal);

        (exit, stdout, stderr) = await Edge("81.2.69.160", "--db", Path.GetTempPath());
        Assert.Equal((1, ""), (exit, stdout));
        Assert.Contains("is a directory", stderr, StringComparison.Ordinal);

        // The embedded default config names no geo database, so --db is needed.
        (exit, stdout, stderr) = await Edge("81.2.69.160");
        Assert.Equal((1, ""), (exit, stdout));
        Assert.Contains("no database: pass --db FILE", stderr, StringComparison.Ordinal);
    }
}
