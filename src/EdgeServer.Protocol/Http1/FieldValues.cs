namespace EdgeServer.Protocol.Http1;

/// <summary>Parsers for the values of the fields that decide framing and connection reuse.</summary>
internal static class FieldValues
{
    /// <summary>
    /// Content-Length: 1*DIGIT, or a comma list whose elements are all equal (RFC 9110 §8.6). Returns false on
    /// any other byte (sign, hex, inner space, empty element) or overflow; <paramref name="conflict"/> is set
    /// when the elements are valid but differ.
    /// </summary>
    public static bool TryParseContentLength(ReadOnlySpan<byte> value, out long length, out bool conflict)
    {
        length = -1;
        conflict = false;
        while (true)
        {
            var comma = value.IndexOf((byte)',');
            var element = HttpChars.TrimWhitespace(comma < 0 ? value : value[..comma]);
            if (!TryParseDigits(element, out var n)) return false;
            if (length >= 0 && n != length) conflict = true;
            length = n;
            if (comma < 0) return !conflict;
            value = value[(comma + 1)..];
        }
    }

    private static bool TryParseDigits(ReadOnlySpan<byte> s, out long value)
    {
        value = 0;
        if (s.IsEmpty) return false;
        foreach (var b in s)
        {
            if (!HttpChars.IsDigit(b)) return false;
            if (value > (long.MaxValue - 9) / 10) return false; // would overflow, or nearly: no real body is 0.9 EB
            value = value * 10 + (b - '0');
        }
        return true;
    }

    /// <summary>Connection options (RFC 9110 §7.6.1) the proxy acts on; other tokens name hop-by-hop fields.</summary>
    public static void ReadConnectionOptions(ReadOnlySpan<byte> value, ref bool close, ref bool keepAlive, ref bool upgrade)
    {
        while (true)
        {
            var comma = value.IndexOf((byte)',');
            var element = HttpChars.TrimWhitespace(comma < 0 ? value : value[..comma]);
            if (Ascii.EqualsIgnoreCase(element, "close"u8)) close = true;
            else if (Ascii.EqualsIgnoreCase(element, "keep-alive"u8)) keepAlive = true;
            else if (Ascii.EqualsIgnoreCase(element, "upgrade"u8)) upgrade = true;
            if (comma < 0) return;
            value = value[(comma + 1)..];
        }
    }

    /// <summary>Applies one Content-Length field to the length seen so far: equal repeats are accepted, anything else is an error.</summary>
    public static HttpParseError ApplyContentLength(ReadOnlySpan<byte> value, ref long contentLength)
    {
        if (!TryParseContentLength(value, out var length, out var conflict))
        {
            return conflict ? HttpParseError.ConflictingContentLength : HttpParseError.InvalidContentLength;
        }
        if (contentLength >= 0 && contentLength != length) return HttpParseError.ConflictingContentLength;
        contentLength = length;
        return HttpParseError.None;
    }
}
