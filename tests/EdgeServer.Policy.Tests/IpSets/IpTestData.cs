using System.Buffers.Binary;
using System.Net;

namespace EdgeServer.Policy.Tests.IpSets;

/// <summary>Random prefixes and addresses crowded into a few roots, so overlaps, nesting and adjacency are common.</summary>
internal static class IpTestData
{
    public static UInt128 Mask(int bits, int length) => length == 0 ? 0 : (UInt128.MaxValue >> (128 - bits)) ^ ((UInt128.One << (bits - length)) - 1);

    public static UInt128 RandomV4(Random rng) => (uint)rng.Next(4) << 30 | (uint)rng.Next(3) << 20 | (uint)rng.NextInt64(1 << 20);

    public static UInt128 RandomV6(Random rng)
    {
        ulong high = 0x2001_0db8_0000_0000UL | (ulong)rng.Next(3) << 24 | (ulong)rng.Next(1 << 8) << 8;
        ulong low = rng.Next(2) == 0 ? (ulong)rng.Next(256) : (ulong)rng.NextInt64();
        return new UInt128(rng.Next(8) == 0 ? (ulong)rng.NextInt64() : high, low);
    }

    public static int RandomLength(Random rng, int bits) => rng.Next(10) switch
    {
        0 => rng.Next(bits + 1),
        1 => bits,
        _ => bits - rng.Next(bits / 2),
    };

    public static IPAddress ToAddress(bool v4, UInt128 value)
    {
        byte[] bytes = new byte[v4 ? 4 : 16];
        if (v4)
            BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)value);
        else
            BinaryPrimitives.WriteUInt128BigEndian(bytes, value);
        return new IPAddress(bytes);
    }
}
