using System.Buffers.Binary;
using System.Net;

namespace EdgeServer.Policy.RateLimiting;

/// <summary>
/// Turns a client address into a rate-limit key in a caller's stack buffer: the address itself, or the network it sits
/// in (/24 for IPv4 and /64 for IPv6 by default: what one subscriber usually holds, so rotating addresses inside one's
/// own allocation does not multiply one's budget).
/// </summary>
/// <remarks>
/// A key is [family (4 or 6), prefix length, the network's leading ⌈length/8⌉ bytes, host bits zeroed], so a /24 key
/// never equals a /32 key or an IPv6 key. An IPv4-mapped IPv6 address (::ffff:a.b.c.d, what a dual-stack socket
/// reports for an IPv4 client) is keyed as the IPv4 address it is, as IP sets treat it. An empty address (a client
/// with no IP, such as a Unix socket peer) writes a key of its own, shared by all such clients. Other key kinds (API key
/// name, header value, route id) are their own bytes and need no helper.
/// </remarks>
public static class RateLimitKeys
{
    /// <summary>The longest key written here: family, length and 16 address bytes.</summary>
    public const int MaxLength = 18;

    public const int DefaultIPv4PrefixBits = 24;

    public const int DefaultIPv6PrefixBits = 64;

    /// <summary>The whole address (a /32 or /128 key). Returns the key's length.</summary>
    public static int WriteClientIp(ReadOnlySpan<byte> address, Span<byte> destination)
    {
        if (address.Length == 4 && destination.Length >= MaxLength)
        {
            // The common case, written as one 8-byte store: the hash then reads the key back with loads that store
            // forwarding can serve (separate byte stores under one wider load would stall it for ~10 ns).
            ulong key = 4 | (32 << 8) | ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(address) << 16);
            BinaryPrimitives.WriteUInt64LittleEndian(destination, key);
            return 6;
        }

        return WritePrefix(address, 32, 128, destination);
    }

    /// <summary>The network of <paramref name="address"/> (4 or 16 bytes, network order) at the given lengths.</summary>
    /// <exception cref="ArgumentException">The address is not 0, 4 or 16 bytes, or the destination is too short.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A prefix length is outside 0-32 (IPv4) or 0-128 (IPv6).</exception>
    public static int WritePrefix(ReadOnlySpan<byte> address, int ipv4Bits, int ipv6Bits, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ipv4Bits);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ipv4Bits, 32);
        ArgumentOutOfRangeException.ThrowIfNegative(ipv6Bits);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ipv6Bits, 128);
        if (destination.Length < MaxLength)
            throw new ArgumentException($"a rate-limit key buffer needs {MaxLength} bytes", nameof(destination));

        if (address.Length == 16 && IsIPv4Mapped(address))
            address = address[12..];

        byte family;
        int bits;
        switch (address.Length)
        {
            case 0:
                destination[0] = 0;
                return 1;
            case 4:
                family = 4;
                bits = ipv4Bits;
                break;
            case 16:
                family = 6;
                bits = ipv6Bits;
                break;
            default:
                throw new ArgumentException($"an IP address is 4 or 16 bytes, not {address.Length}", nameof(address));
        }

        destination[0] = family;
        destination[1] = (byte)bits;
        int bytes = (bits + 7) / 8;
        address[..bytes].CopyTo(destination[2..]);
        if (bits % 8 != 0)
            destination[1 + bytes] &= (byte)(0xFF << (8 - bits % 8));
        return 2 + bytes;
    }

    public static int WriteClientIp(IPAddress address, Span<byte> destination) =>
        WritePrefix(address, 32, 128, destination);

    public static int WritePrefix(IPAddress address, int ipv4Bits, int ipv6Bits, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(address);
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out int written);
        return WritePrefix(bytes[..written], ipv4Bits, ipv6Bits, destination);
    }

    private static bool IsIPv4Mapped(ReadOnlySpan<byte> address) =>
        address[..10].IndexOfAnyExcept((byte)0) < 0 && address[10] == 0xFF && address[11] == 0xFF;
}
