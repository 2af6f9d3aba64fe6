using System.Net;
using System.Numerics;
using System.Text.Json;

namespace EdgeServer.Geo.Tests;

/// <summary>GeoIP2-Country-Test.json: the networks GeoIP2-Country-Test.mmdb was built from, with their records.</summary>
internal static class CountryTestJson
{
    /// <summary>Each network's first and last address (IPv4 networks are written ::a.b.c.d/N) and its record.</summary>
    public static IEnumerable<(IPAddress First, IPAddress Last, JsonElement Record)> Networks()
    {
        using var json = JsonDocument.Parse(File.ReadAllBytes(GeoTestData.MaxMindTest("GeoIP2-Country-Test.json")));
        foreach (var entry in json.RootElement.EnumerateArray())
        {
            foreach (var network in entry.EnumerateObject())
            {
                var (first, last) = Range(network.Name);
                yield return (first, last, network.Value.Clone());
            }
        }
    }

    public static (IPAddress First, IPAddress Last) Range(string cidr)
    {
        int slash = cidr.IndexOf('/', StringComparison.Ordinal);
        var address = IPAddress.Parse(cidr[..slash]);
        int prefix = int.Parse(cidr[(slash + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var bytes = address.GetAddressBytes();
        int bits = bytes.Length * 8;
        var value = new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
        var hostMask = (BigInteger.One << (bits - prefix)) - 1;
        var first = value & ~hostMask;
        var last = first | hostMask;
        return (ToAddress(first, bytes.Length), ToAddress(last, bytes.Length));
    }

    private static IPAddress ToAddress(BigInteger value, int length)
    {
        var bytes = new byte[length];
        value.TryWriteBytes(bytes.AsSpan(length - value.GetByteCount(isUnsigned: true)), out _, isUnsigned: true, isBigEndian: true);
        return new IPAddress(bytes);
    }
}
