namespace EdgeServer.Protocol.Http1;

/// <summary>
/// uri-host [ ":" port ] (RFC 3986 §3.2.2-3.2.3), for the Host field and for the authority of absolute
/// and authority-form targets. Stricter than RFC 3986 where laxness only serves confusion: the host is
/// never empty, userinfo is refused ('@' is not a reg-name byte), a port has 1-5 digits and is at most
/// 65535, and IPvFuture literals are refused.
/// </summary>
internal static class HostSyntax
{
    public static bool IsValid(ReadOnlySpan<byte> value, bool requirePort)
    {
        if (value.IsEmpty) return false;
        ReadOnlySpan<byte> rest;
        if (value[0] == '[')
        {
            var close = value.IndexOf((byte)']');
            if (close < 0 || !IsIPv6(value[1..close])) return false;
            rest = value[(close + 1)..];
        }
        else
        {
            var colon = value.IndexOf((byte)':');
            var host = colon < 0 ? value : value[..colon];
            if (!IsRegName(host)) return false;
            rest = colon < 0 ? default : value[colon..];
        }
        if (rest.IsEmpty) return !requirePort;
        return rest[0] == ':' && IsPort(rest[1..]);
    }

    /// <summary>reg-name, non-empty; every '%' starts a pct-encoded triplet. IPv4address is a subset.</summary>
    private static bool IsRegName(ReadOnlySpan<byte> host)
    {
        if (host.IsEmpty || host.ContainsAnyExcept(HttpChars.RegName)) return false;
        for (var i = host.IndexOf((byte)'%'); i >= 0; i = NextPercent(host, i + 3))
        {
            if (i + 2 >= host.Length || !HttpChars.IsHex(host[i + 1]) || !HttpChars.IsHex(host[i + 2])) return false;
        }
        return true;
    }

    private static int NextPercent(ReadOnlySpan<byte> s, int from)
    {
        var i = s[from..].IndexOf((byte)'%');
        return i < 0 ? -1 : from + i;
    }

    private static bool IsPort(ReadOnlySpan<byte> port)
    {
        if (port.IsEmpty || port.Length > 5) return false;
        var value = 0;
        foreach (var b in port)
        {
            if (!HttpChars.IsDigit(b)) return false;
            value = value * 10 + (b - '0');
        }
        return value <= 65535;
    }

    /// <summary>IPv6address of RFC 3986: eight h16 groups, one "::" standing for one or more, optional IPv4 tail.</summary>
    internal static bool IsIPv6(ReadOnlySpan<byte> s)
    {
        if (s.Length < 2) return false;
        int groups = 0, i = 0;
        var compressed = false;
        if (s[0] == ':')
        {
            if (s[1] != ':') return false;
            compressed = true;
            i = 2;
        }
        while (i < s.Length)
        {
            var j = i;
            while (j < s.Length && HttpChars.IsHex(s[j])) j++;
            if (j < s.Length && s[j] == '.')
            {
                // ls32 as an IPv4 address: only as the last piece, worth two groups.
                if (!IsIPv4(s[i..])) return false;
                groups += 2;
                break;
            }
            if (j == i || j - i > 4) return false;
            groups++;
            i = j;
            if (i == s.Length) break;
            if (s[i] != ':') return false;
            i++;
            if (i < s.Length && s[i] == ':')
            {
                if (compressed) return false;
                compressed = true;
                i++;
            }
            else if (i == s.Length)
            {
                return false; // a single trailing colon
            }
        }
        return compressed ? groups <= 7 : groups == 8;
    }

    /// <summary>dotted-quad of dec-octets: 0-255, no leading zeros.</summary>
    internal static bool IsIPv4(ReadOnlySpan<byte> s)
    {
        for (var octet = 0; octet < 4; octet++)
        {
            if (octet > 0)
            {
                if (s.IsEmpty || s[0] != '.') return false;
                s = s[1..];
            }
            var n = 0;
            while (n < s.Length && n < 4 && HttpChars.IsDigit(s[n])) n++;
            if (n is 0 or > 3 || (n > 1 && s[0] == '0')) return false;
            var value = 0;
            for (var k = 0; k < n; k++) value = value * 10 + (s[k] - '0');
            if (value > 255) return false;
            s = s[n..];
        }
        return s.IsEmpty;
    }
}
