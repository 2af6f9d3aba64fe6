namespace EdgeServer.Config.Values;

/// <summary>Syntax checks for DNS names, IPv4 literals and route host patterns (ASCII only: IDNs are configured in punycode).</summary>
internal static class HostName
{
    /// <summary>RFC 1123 names; '_' is also allowed because service discovery names (Docker, SRV-style) use it.</summary>
    public static bool IsDnsName(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || name.Length > 253) return false;
        foreach (var label in name.Split('.'))
        {
            var part = name[label];
            if (part.IsEmpty || part.Length > 63 || part[0] == '-' || part[^1] == '-') return false;
            foreach (var c in part)
            {
                if (!char.IsAsciiLetterOrDigit(c) && c != '-' && c != '_') return false;
            }
        }
        return true;
    }

    /// <summary>All labels numeric: meant as an IPv4 address, so it must be a valid one rather than a DNS name.</summary>
    public static bool LooksNumeric(ReadOnlySpan<char> name)
    {
        foreach (var c in name)
        {
            if (!char.IsAsciiDigit(c) && c != '.') return false;
        }
        return true;
    }

    public static bool IsDottedQuad(ReadOnlySpan<char> s)
    {
        int parts = 0;
        foreach (var range in s.Split('.'))
        {
            var part = s[range];
            if (part.IsEmpty || part.Length > 3 || ++parts > 4) return false;
            int value = 0;
            foreach (var c in part)
            {
                if (!char.IsAsciiDigit(c)) return false;
                value = (value * 10) + (c - '0');
            }
            if (value > 255 || (part.Length > 1 && part[0] == '0')) return false; // no octal-looking "010"
        }
        return parts == 4;
    }

    /// <summary>
    /// Normalises a route host pattern to what the route table compares: lower case, no trailing dot.
    /// Accepted: an exact name ("api.example.com"), an IP literal ("10.0.0.1", "[::1]"), or "*." + name.
    /// </summary>
    public static bool TryNormalizePattern(string pattern, out string normalized, out string? error)
    {
        normalized = "";
        error = null;
        var p = pattern.Trim().ToLowerInvariant();
        if (p.EndsWith('.')) p = p[..^1];
        if (p.StartsWith('[') && p.EndsWith(']'))
        {
            if (!System.Net.IPAddress.TryParse(p[1..^1], out var ip) || ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
            {
                error = $"'{pattern}' is not a bracketed IPv6 address";
                return false;
            }
            normalized = p;
            return true;
        }
        if (p == "*")
        {
            error = "'*' alone is not a host pattern; leave out 'hosts' to match any host";
            return false;
        }
        if (p.Contains(':', StringComparison.Ordinal))
        {
            error = $"'{pattern}' includes a port; host patterns are names only (the port is ignored when matching)";
            return false;
        }
        var name = p.StartsWith("*.", StringComparison.Ordinal) ? p[2..] : p;
        if (name.Contains('*', StringComparison.Ordinal) || !IsDnsName(name) || (LooksNumeric(name) && (name != p || !IsDottedQuad(name))))
        {
            error = $"'{pattern}' is not a host pattern; expected an exact name such as api.example.com or a leading wildcard such as *.example.com";
            return false;
        }
        normalized = p;
        return true;
    }
}
