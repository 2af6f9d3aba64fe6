using System.Buffers.Binary;

namespace EdgeServer.Benchmarks.Geo;

/// <summary>
/// The fixed address sets the geo benchmarks look up: 1,024 IPv4 and 1,024 IPv6 addresses from xorshift64*, the same
/// sequences perf/geo/mmdb_country.c builds, so the C reference and this benchmark time the same lookups.
/// </summary>
internal static class GeoAddressSets
{
    public const int Size = 1024;

    // Random bits under the RIRs' busiest blocks (2001::/16 and 2400::, 2600::, 2800::, 2a00::/12), so IPv6 lookups
    // walk where allocations are. Still, 158 of the 1,024 find a country: most of that space is not yet handed out.
    private static readonly byte[][] BusyTops = [[0x20, 0x01], [0x24, 0x00], [0x26, 0x00], [0x28, 0x00], [0x2a, 0x00]];

    /// <summary>Size addresses of 4 bytes each, in network order, back to back.</summary>
    public static byte[] IPv4()
    {
        var bytes = new byte[Size * 4];
        ulong seed = 0x4444;
        for (int i = 0; i < Size; i++)
        {
            ulong a = Next(ref seed);
            Next(ref seed); // the C code draws two numbers per address for both families
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(i * 4), (uint)(a >> 32));
        }
        return bytes;
    }

    /// <summary>The IPv4 set as IPv4-mapped IPv6 (::ffff:a.b.c.d), what a dual-stack socket reports: 16 bytes each.</summary>
    public static byte[] IPv4Mapped()
    {
        var v4 = IPv4();
        var bytes = new byte[Size * 16];
        for (int i = 0; i < Size; i++)
        {
            bytes[i * 16 + 10] = 0xff;
            bytes[i * 16 + 11] = 0xff;
            v4.AsSpan(i * 4, 4).CopyTo(bytes.AsSpan(i * 16 + 12));
        }
        return bytes;
    }

    /// <summary>Size addresses of 16 bytes each, in network order, back to back.</summary>
    public static byte[] IPv6()
    {
        var bytes = new byte[Size * 16];
        ulong seed = 0x6666;
        for (int i = 0; i < Size; i++)
        {
            ulong a = Next(ref seed), b = Next(ref seed);
            var address = bytes.AsSpan(i * 16, 16);
            BinaryPrimitives.WriteUInt64BigEndian(address, a);
            BinaryPrimitives.WriteUInt64BigEndian(address[8..], b);
            var top = BusyTops[(int)(b % 5)];
            address[0] = top[0];
            address[1] = (byte)(top[1] | (address[1] & (top[1] != 0 ? 0x00 : 0x0f)));
        }
        return bytes;
    }

    // xorshift64* (Vigna): tiny, and trivially the same in C.
    private static ulong Next(ref ulong s)
    {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        return unchecked(s * 2685821657736338717UL);
    }
}
