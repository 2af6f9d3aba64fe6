namespace EdgeServer.Config.Values;

/// <summary>RFC 9110 syntax rules for values that end up on the wire (mock headers, method names).</summary>
internal static class HttpSyntax
{
    /// <summary>token = 1*tchar.</summary>
    public static bool IsToken(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty) return false;
        foreach (var c in s)
        {
            if (!IsTchar(c)) return false;
        }
        return true;
    }

    /// <summary>Field values: visible ASCII, space, tab, and obs-text; never CR, LF or NUL (response splitting).</summary>
    public static bool IsFieldValue(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (c is '\r' or '\n' or '\0' || (c < 0x20 && c != '\t') || c == 0x7F || c > 0xFF) return false;
        }
        return true;
    }

    private static bool IsTchar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';
}
