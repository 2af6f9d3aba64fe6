// Frozen copy of src/EdgeServer.Policy/Injection/UrlSchemes.cs as of commit c8c0ffc, before the fast paths: the oracle
// InjectionDifferentialTests compares the detectors with. Do not edit; it is the old behaviour by definition.
namespace EdgeServer.Policy.Tests.Injection.Reference;

internal enum UrlSchemeKind : byte
{
    Harmless,

    /// <summary>javascript:, vbscript:, livescript: — the rest of the URL is code.</summary>
    Script,

    /// <summary>data: with a type a browser renders as a document or script (text/html, image/svg+xml...).</summary>
    ActiveData,
}

/// <summary>
/// Recognises script-bearing URL schemes the way a browser reads an attribute value: character references
/// decoded (&amp;#106; &amp;#x6A; &amp;colon; &amp;Tab;), tabs, newlines and other control characters ignored
/// anywhere in the scheme (<c>java&amp;#x09;script:</c>), case ignored.
/// </summary>
internal static class UrlSchemes
{
    /// <summary>Classifies <paramref name="value"/>; <paramref name="bodyStart"/> is where the raw text after the colon begins.</summary>
    public static UrlSchemeKind Classify(ReadOnlySpan<char> value, out int bodyStart)
    {
        Span<char> scheme = stackalloc char[24];
        int n = 0, i = 0;
        bodyStart = value.Length;
        while (i < value.Length && n < scheme.Length)
        {
            char c = NextDecoded(value, ref i);
            if (c <= ' ')
            {
                continue;
            }

            scheme[n++] = char.ToLowerInvariant(c);
            if (c == ':')
            {
                break;
            }

            if (!char.IsAsciiLetter(c) && !(n > 1 && c is '/' or '+' or '-' or '.' or ';' or ','))
            {
                return UrlSchemeKind.Harmless;
            }
        }

        bodyStart = i;
        ReadOnlySpan<char> s = scheme[..n];
        if (s.SequenceEqual("javascript:") || s.SequenceEqual("vbscript:") || s.SequenceEqual("livescript:"))
        {
            return UrlSchemeKind.Script;
        }

        if (!s.StartsWith("data:"))
        {
            return UrlSchemeKind.Harmless;
        }

        // The media type follows: read it on, decoded the same way.
        while (i < value.Length && n < scheme.Length)
        {
            char c = NextDecoded(value, ref i);
            if (c > ' ')
            {
                scheme[n++] = char.ToLowerInvariant(c);
            }
        }

        ReadOnlySpan<char> type = scheme[5..n];
        return type.StartsWith("text/") || type.StartsWith("application/") || type.StartsWith("image/svg")
            ? UrlSchemeKind.ActiveData
            : UrlSchemeKind.Harmless;
    }

    /// <summary>Whether script text calls something: an identifier (or ')' or ']') right before '(' or '`'.</summary>
    public static bool HasCall(ReadOnlySpan<char> body)
    {
        for (int i = 1; i < body.Length; i++)
        {
            char p = body[i - 1];
            if (body[i] is '(' or '`' && (char.IsAsciiLetterOrDigit(p) || p is '_' or '$' or ')' or ']'))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The character at <paramref name="i"/> with a character reference decoded; advances past it.</summary>
    private static char NextDecoded(ReadOnlySpan<char> s, ref int i)
    {
        char c = s[i++];
        if (c != '&' || i >= s.Length)
        {
            return c;
        }

        if (s[i] == '#')
        {
            int j = i + 1;
            bool hex = j < s.Length && (s[j] | 0x20) == 'x';
            if (hex)
            {
                j++;
            }

            int code = 0, digits = 0;
            while (j < s.Length && digits < 8 && (hex ? char.IsAsciiHexDigit(s[j]) : char.IsAsciiDigit(s[j])))
            {
                code = (code * (hex ? 16 : 10)) + HexValue(s[j]);
                j++;
                digits++;
            }

            if (digits == 0)
            {
                return c;
            }

            i = j < s.Length && s[j] == ';' ? j + 1 : j;
            return code is > 0 and < 0xD800 ? (char)code : '\uFFFD';
        }

        ReadOnlySpan<char> rest = s[i..];
        foreach ((string name, char decoded) in NamedReferences)
        {
            if (rest.StartsWith(name, StringComparison.OrdinalIgnoreCase))
            {
                i += name.Length;
                return decoded;
            }
        }

        return c;
    }

    /// <summary>The named references that matter inside a scheme (the WAF's entity decoding handles the rest).</summary>
    private static readonly (string Name, char Decoded)[] NamedReferences =
    [
        ("colon;", ':'), ("tab;", '\t'), ("newline;", '\n'), ("lpar;", '('), ("rpar;", ')'), ("sol;", '/'),
    ];

    internal static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
