namespace EdgeServer.Routing;

/// <summary>Turns a Host header value into the key route hosts are stored under, without allocating.</summary>
internal static class HostKey
{
    /// <summary>DNS names are at most 253 characters; a bracketed IPv6 literal with a zone is well under this.</summary>
    public const int MaxLength = 255;

    /// <summary>
    /// Lower-cases ASCII, drops the port (":8080", also after "[::1]") and one trailing dot into
    /// <paramref name="destination"/>; returns the length, or 0 when the host cannot match any host pattern.
    /// </summary>
    public static int Normalize(ReadOnlySpan<byte> host, Span<char> destination)
    {
        int end;
        if (!host.IsEmpty && host[0] == (byte)'[')
        {
            end = host.IndexOf((byte)']') + 1;
            if (end == 0) return 0;
        }
        else
        {
            end = host.IndexOf((byte)':');
            if (end < 0) end = host.Length;
        }
        if (end > 0 && host[end - 1] == (byte)'.') end--;
        if (end == 0 || end > destination.Length) return 0;
        for (int i = 0; i < end; i++)
        {
            byte b = host[i];
            // Non-ASCII bytes map to chars no stored pattern contains (patterns are ASCII), so they simply do not match.
            destination[i] = (char)(b is >= (byte)'A' and <= (byte)'Z' ? b | 0x20 : b);
        }
        return end;
    }
}
