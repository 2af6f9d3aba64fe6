using System.Buffers.Binary;
using System.Net;
using EdgeServer.Policy.IpSets;

namespace EdgeServer.Benchmarks.Policy;

/// <summary>
/// A million-prefix block list per address family, shaped like real ones, and addresses known to be in it or not.
/// IPv4: 70% /32, 20% /24, 10% /16-/23 across 1.0.0.0-223.255.255.255. IPv6: 50% /128, 30% /64, 20% /32-/48 under
/// the RIRs' busy blocks (2001::/16, 2400::/12, 2600::/12, 2800::/12, 2a00::/12), where real lists cluster. Seeded,
/// so every run builds the same sets.
/// </summary>
internal static class IpSetBenchmarkData
{
    public const int Prefixes = 1_000_000;
    public const int Probes = 1024;

    public static IpPrefix[] IPv4Prefixes()
    {
        var random = new Random(4);
        var prefixes = new IpPrefix[Prefixes];
        Span<byte> bytes = stackalloc byte[4];
        for (int i = 0; i < prefixes.Length; i++)
        {
            int roll = random.Next(100);
            int length = roll < 70 ? 32 : roll < 90 ? 24 : random.Next(16, 24);
            uint address = (uint)random.NextInt64(0x01000000, 0xE0000000) & (uint.MaxValue << (32 - length));
            BinaryPrimitives.WriteUInt32BigEndian(bytes, address);
            prefixes[i] = IpPrefix.Parse($"{new IPAddress(bytes)}/{length}");
        }
        return prefixes;
    }

    public static IpPrefix[] IPv6Prefixes()
    {
        var random = new Random(6);
        var prefixes = new IpPrefix[Prefixes];
        Span<byte> bytes = stackalloc byte[16];
        for (int i = 0; i < prefixes.Length; i++)
        {
            int roll = random.Next(100);
            int length = roll < 50 ? 128 : roll < 80 ? 64 : random.Next(32, 49);
            RandomBusyIPv6(random, bytes);
            var value = BinaryPrimitives.ReadUInt128BigEndian(bytes) & (UInt128.MaxValue << (128 - length));
            BinaryPrimitives.WriteUInt128BigEndian(bytes, value);
            prefixes[i] = IpPrefix.Parse($"{new IPAddress(bytes)}/{length}");
        }
        return prefixes;
    }

    /// <summary>Probes addresses of 4 or 16 bytes back to back, each inside a random prefix of the list.</summary>
    public static byte[] Hits(IpPrefix[] prefixes, int seed)
    {
        var random = new Random(seed);
        int width = prefixes[0].IsIPv4 ? 4 : 16;
        var bytes = new byte[Probes * width];
        for (int i = 0; i < Probes; i++)
        {
            var prefix = prefixes[random.Next(prefixes.Length)];
            var address = bytes.AsSpan(i * width, width);
            random.NextBytes(address);
            // Keep the prefix's bits, randomise the host bits.
            var network = IPAddress.Parse(prefix.ToString().Split('/')[0]).GetAddressBytes();
            for (int bit = 0; bit < prefix.Length; bit++)
            {
                int mask = 0x80 >> (bit & 7);
                address[bit >> 3] = (byte)((address[bit >> 3] & ~mask) | (network[bit >> 3] & mask));
            }
        }
        return bytes;
    }

    /// <summary>Probes in the same address space as the list (IPv4 unicast, busy IPv6 blocks) that the set lacks.</summary>
    public static byte[] Misses(IpSet set, bool ipv4, int seed)
    {
        var random = new Random(seed);
        int width = ipv4 ? 4 : 16;
        var bytes = new byte[Probes * width];
        for (int i = 0; i < Probes; i++)
        {
            var address = bytes.AsSpan(i * width, width);
            do
            {
                if (ipv4) BinaryPrimitives.WriteUInt32BigEndian(address, (uint)random.NextInt64(0x01000000, 0xE0000000));
                else RandomBusyIPv6(random, address);
            }
            while (set.Contains(address));
        }
        return bytes;
    }

    private static void RandomBusyIPv6(Random random, Span<byte> address)
    {
        random.NextBytes(address);
        switch (random.Next(5))
        {
            case 0: address[0] = 0x20; address[1] = 0x01; break;
            case 1: address[0] = 0x24; address[1] &= 0x0f; break;
            case 2: address[0] = 0x26; address[1] &= 0x0f; break;
            case 3: address[0] = 0x28; address[1] &= 0x0f; break;
            default: address[0] = 0x2a; address[1] &= 0x0f; break;
        }
    }
}
