namespace EdgeServer.Policy.IpSets;

/// <summary>
/// Strict address text: exactly four decimal octets for IPv4, RFC 4291 text for IPv6 (with an optional dotted tail).
/// </summary>
/// <remarks>
/// Not <see cref="System.Net.IPAddress.TryParse(string?, out System.Net.IPAddress?)"/>: it follows inet_aton and reads
/// "10.1" as 10.0.0.1, "010.0.0.1" as octal 8.0.0.1 and "0x0a.0.0.1" as hex, and accepts zone indexes. In a block
/// list each of those is a typo that silently protects the wrong addresses, so here they are errors that name the
/// offending character.
/// </remarks>
internal static class IpAddressText
{
    public static bool TryParseV4(ReadOnlySpan<char> text, out uint address, out IpPrefixError error)
    {
        address = 0;
        int i = 0;
        for (int octet = 0; octet < 4; octet++)
        {
            if (octet > 0)
            {
                if (i == text.Length)
                    return Fail(i, $"expected 4 octets, found {octet}", out error);
                if (text[i] != '.')
                    return Fail(i, Unexpected(text[i]), out error);
                i++;
            }
            int start = i, value = 0;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
                value = Math.Min(value * 10 + (text[i++] - '0'), 1000); // capped: only "too big" matters past 255
            if (i == start)
                return Fail(i, i == text.Length ? "missing octet" : text[i] == '.' ? "empty octet" : Unexpected(text[i]), out error);
            if (value > 255)
                return Fail(start, $"octet {text[start..i]} out of range (0-255)", out error);
            if (text[start] == '0' && i - start > 1)
                return Fail(start, $"octet {text[start..i]} has a leading zero (read as octal by some tools); write it without", out error);
            address = (address << 8) | (uint)value;
        }
        if (i < text.Length)
            return Fail(i, text[i] == '.' ? "more than 4 octets" : Unexpected(text[i]), out error);
        error = default;
        return true;
    }

    public static bool TryParseV6(ReadOnlySpan<char> text, out UInt128 address, out IpPrefixError error)
    {
        address = 0;
        Span<ushort> groups = stackalloc ushort[8];
        int count = 0, gapAt = -1, gapOffset = -1, i = 0;
        if (text.StartsWith("::"))
        {
            gapAt = 0;
            gapOffset = 0;
            i = 2;
        }
        else if (text.Length > 0 && text[0] == ':')
        {
            return Fail(0, "an IPv6 address cannot start with a single ':'", out error);
        }

        while (i < text.Length)
        {
            int start = i, value = 0;
            while (i < text.Length && char.IsAsciiHexDigit(text[i]))
                value = ((value << 4) | HexValue(text[i++])) & 0xFFFFF; // too many digits is reported below
            if (i < text.Length && text[i] == '.')
            {
                // A dotted IPv4 tail (::ffff:192.0.2.1) fills the last two groups and must end the address.
                if (count > 6)
                    return Fail(start, "too many groups (an IPv6 address has 8)", out error);
                if (!TryParseV4(text[start..], out uint tail, out var tailError))
                    return Fail(start + tailError.Offset, tailError.Message, out error);
                groups[count++] = (ushort)(tail >> 16);
                groups[count++] = (ushort)tail;
                i = text.Length;
                break;
            }
            if (i == start)
                return Fail(i, i == text.Length ? "missing group after ':'" : Unexpected(text[i]), out error);
            if (i - start > 4)
                return Fail(start, "group has more than 4 hex digits", out error);
            if (count == 8)
                return Fail(start, "too many groups (an IPv6 address has 8)", out error);
            groups[count++] = (ushort)value;
            if (i == text.Length)
                break;
            if (text[i] != ':')
                return Fail(i, text[i] == '%' ? "zone index ('%') not allowed" : Unexpected(text[i]), out error);
            i++;
            if (i < text.Length && text[i] == ':')
            {
                if (gapAt >= 0)
                    return Fail(i - 1, "'::' may appear only once", out error);
                gapAt = count;
                gapOffset = i - 1;
                i++;
            }
            else if (i == text.Length)
            {
                return Fail(i - 1, "an IPv6 address cannot end with a single ':'", out error);
            }
        }

        if (gapAt < 0 && count != 8)
            return Fail(text.Length, $"expected 8 groups, found {count} (use '::' for runs of zero groups)", out error);
        if (gapAt >= 0 && count == 8)
            return Fail(gapOffset, "'::' must stand for at least one zero group, but all 8 groups are written", out error);

        int zeros = 8 - count;
        for (int g = 0, written = 0; g < 8; g++)
        {
            bool inGap = gapAt >= 0 && g >= gapAt && g < gapAt + zeros;
            ushort group = inGap ? (ushort)0 : groups[written++];
            address = (address << 16) | group;
        }
        error = default;
        return true;
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    private static string Unexpected(char c) => c > ' ' && c < '\x7f'
        ? $"unexpected character '{c}'"
        : $"unexpected character U+{(int)c:X4}";

    private static bool Fail(int offset, string message, out IpPrefixError error)
    {
        error = new IpPrefixError(offset, message);
        return false;
    }
}
