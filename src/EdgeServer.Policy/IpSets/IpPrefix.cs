using System.Buffers.Binary;
using System.Net;

namespace EdgeServer.Policy.IpSets;

/// <summary>A CIDR block, IPv4 or IPv6, parsed strictly: "10.0.0.0/8", "2001:db8::/32", or a bare address (a /32 or /128).</summary>
/// <remarks>
/// Host bits must be zero: "10.0.0.1/8" is rejected rather than widened to 10.0.0.0/8, because the author may have
/// meant 10.0.0.1/32 and silently blocking 16 million addresses is the worse guess. IPv6 blocks inside the IPv4-mapped
/// range ::ffff:0:0/96 become the IPv4 blocks they denote (::ffff:10.0.0.0/104 is 10.0.0.0/8), because lookups treat a
/// mapped client address as the IPv4 address it is.
/// </remarks>
public readonly record struct IpPrefix
{
    private static readonly UInt128 MappedPrefix = new(0, 0x0000_FFFF_0000_0000);

    private IpPrefix(bool isIPv4, UInt128 network, int length)
    {
        IsIPv4 = isIPv4;
        Network = network;
        Length = length;
    }

    public bool IsIPv4 { get; }

    /// <summary>Prefix length in bits: 0-32 for IPv4, 0-128 for IPv6.</summary>
    public int Length { get; }

    /// <summary>The network address as an integer, most significant bit first; IPv4 uses the low 32 bits.</summary>
    internal UInt128 Network { get; }

    internal int AddressBits => IsIPv4 ? 32 : 128;

    /// <summary>The last address of the block (all host bits set).</summary>
    internal UInt128 Last => Network | HostMask(AddressBits, Length);

    public static IpPrefix Parse(string text) =>
        TryParse(text, out var prefix, out var error)
            ? prefix
            : throw new FormatException($"'{text}': {error.Message} (at character {error.Offset + 1})");

    public static bool TryParse(ReadOnlySpan<char> text, out IpPrefix prefix, out IpPrefixError error)
    {
        prefix = default;
        int slash = text.IndexOf('/');
        var addressText = slash < 0 ? text : text[..slash];
        if (addressText.IsEmpty)
            return Fail(0, "missing address", out error);

        bool isV4 = addressText.IndexOf(':') < 0;
        UInt128 network;
        if (isV4)
        {
            if (!char.IsAsciiDigit(addressText[0]))
                return Fail(0, "expected an IPv4 or IPv6 address", out error);
            if (!IpAddressText.TryParseV4(addressText, out uint v4, out error))
                return false;
            network = v4;
        }
        else if (!IpAddressText.TryParseV6(addressText, out network, out error))
        {
            return false;
        }

        int bits = isV4 ? 32 : 128;
        int length = bits;
        if (slash >= 0 && !TryParseLength(text[(slash + 1)..], slash + 1, bits, out length, out error))
            return false;

        if ((network & HostMask(bits, length)) != 0)
        {
            var intended = new IpPrefix(isV4, network & ~HostMask(bits, length), length);
            return Fail(0, $"host bits are set; the network is {intended}, a single address is {addressText}/{bits}", out error);
        }

        prefix = !isV4 && length >= 96 && (network >> 32) == (MappedPrefix >> 32)
            ? new IpPrefix(true, network & uint.MaxValue, length - 96)
            : new IpPrefix(isV4, network, length);
        error = default;
        return true;
    }

    /// <summary>The block covering exactly one address.</summary>
    public static IpPrefix FromAddress(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out int written);
        return written == 4
            ? new IpPrefix(true, BinaryPrimitives.ReadUInt32BigEndian(bytes), 32)
            : new IpPrefix(false, BinaryPrimitives.ReadUInt128BigEndian(bytes), 128);
    }

    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[16];
        if (IsIPv4)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)Network);
            return $"{new IPAddress(bytes[..4])}/{Length}";
        }
        BinaryPrimitives.WriteUInt128BigEndian(bytes, Network);
        return $"{new IPAddress(bytes)}/{Length}";
    }

    // UInt128 shifts take the count mod 128, so a /0 IPv6 mask cannot come from 1 << 128.
    internal static UInt128 HostMask(int addressBits, int length) =>
        length >= addressBits ? UInt128.Zero
        : addressBits - length == 128 ? UInt128.MaxValue
        : (UInt128.One << (addressBits - length)) - 1;

    private static bool TryParseLength(ReadOnlySpan<char> text, int offset, int bits, out int length, out IpPrefixError error)
    {
        length = 0;
        if (text.IsEmpty)
            return Fail(offset, "missing prefix length after '/'", out error);
        for (int i = 0; i < text.Length; i++)
        {
            if (!char.IsAsciiDigit(text[i]))
                return Fail(offset + i, $"prefix length must be a decimal number, found '{text[i]}'", out error);
            length = Math.Min(length * 10 + (text[i] - '0'), 1000);
        }
        if (length > bits)
            return Fail(offset, $"prefix length {text} exceeds {bits} for {(bits == 32 ? "IPv4" : "IPv6")}", out error);
        error = default;
        return true;
    }

    private static bool Fail(int offset, string message, out IpPrefixError error)
    {
        error = new IpPrefixError(offset, message);
        return false;
    }
}
