using System.Net;
using EdgeServer.Policy.Waf.Evaluation;

namespace EdgeServer.Policy.Waf.Statements;

public enum ForwardedIpPosition : byte { First, Last, Any }

/// <summary>
/// AWS WAF's ForwardedIPConfig: take the client address from a header (X-Forwarded-For) instead of the
/// peer. Ours adds <see cref="TrustedProxies"/>: the header is believed only when the peer is one of them,
/// since anyone else can write any address into it.
/// </summary>
public sealed class ForwardedIpConfig(string headerName, bool fallbackMatches, ForwardedIpPosition position, Func<ReadOnlySpan<byte>, bool>? trustedProxies)
{
    private readonly byte[] _header = System.Text.Encoding.ASCII.GetBytes(headerName);

    public string HeaderName { get; } = headerName;
    /// <summary>What the statement answers when the header is missing, malformed or not trusted (FallbackBehavior MATCH/NO_MATCH).</summary>
    public bool FallbackMatches { get; } = fallbackMatches;
    public ForwardedIpPosition Position { get; } = position;
    public Func<ReadOnlySpan<byte>, bool>? TrustedProxies { get; } = trustedProxies;

    /// <summary>Addresses ANY considers at most: a longer X-Forwarded-For is a client writing junk.</summary>
    public const int MaxAddresses = 8;

    /// <summary>
    /// Writes the forwarded address(es) the position selects, 16 bytes per slot, and returns how many (their
    /// lengths in <paramref name="lengths"/>); 0 when none is usable, and the caller then answers
    /// <see cref="FallbackMatches"/>. A dotted-quad IPv4 address is parsed in place; any other form (IPv6, or
    /// IPv4 forms such as octal parts) allocates one IPAddress: only rules that opt into forwarded addresses pay it.
    /// </summary>
    public int Select(ref WafContext context, scoped Span<byte> slots, scoped Span<int> lengths)
    {
        var head = context.Request.Head;
        if (head is null) return 0;
        if (TrustedProxies is not null && !TrustedProxies(context.Request.ClientAddress)) return 0;
        var index = head.IndexOf(_header);
        if (index < 0) return 0;
        var list = head.Value(index);
        var count = list.Count((byte)',') + 1;
        var item = 0;
        var selected = 0;
        foreach (var range in list.Split((byte)','))
        {
            item++;
            var wanted = Position == ForwardedIpPosition.Any || (Position == ForwardedIpPosition.First ? item == 1 : item == count);
            if (!wanted) continue;
            if (selected == MaxAddresses) break;
            // One malformed entry makes the header untrustworthy as a whole.
            if (!TryParse(list[range].Trim(" \t"u8), slots.Slice(selected * 16, 16), out lengths[selected])) return 0;
            selected++;
            if (Position != ForwardedIpPosition.Any) break;
        }
        return selected;
    }

    private static bool TryParse(ReadOnlySpan<byte> text, Span<byte> destination, out int length)
    {
        length = 0;
        if (text.IsEmpty || text.Length > 64) return false;
        if (TryParseDottedQuad(text, destination))
        {
            length = 4;
            return true;
        }
        Span<char> chars = stackalloc char[text.Length];
        for (var i = 0; i < text.Length; i++) chars[i] = (char)text[i];
        if (!IPAddress.TryParse(chars, out var address)) return false;
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        return address.TryWriteBytes(destination, out length);
    }

    /// <summary>
    /// a.b.c.d with decimal parts 0-255 and no leading zeros (which IPAddress reads as octal): the form proxies write,
    /// parsed without allocating. False for anything else, which then takes the general parser.
    /// </summary>
    internal static bool TryParseDottedQuad(ReadOnlySpan<byte> text, Span<byte> destination)
    {
        var part = 0;
        var value = 0;
        var digits = 0;
        foreach (var c in text)
        {
            if (c == (byte)'.')
            {
                if (digits == 0 || part == 3) return false;
                destination[part++] = (byte)value;
                (value, digits) = (0, 0);
                continue;
            }
            if (c is < (byte)'0' or > (byte)'9' || (digits == 1 && value == 0)) return false;
            value = value * 10 + (c - '0');
            if (++digits > 3 || value > 255) return false;
        }
        if (digits == 0 || part != 3) return false;
        destination[3] = (byte)value;
        return true;
    }
}
