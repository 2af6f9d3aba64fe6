// Frozen copy of src/EdgeServer.Policy/Injection/HtmlRules.cs as of commit c8c0ffc, before the fast paths: the oracle
// InjectionDifferentialTests compares the detectors with. Do not edit; it is the old behaviour by definition.
namespace EdgeServer.Policy.Tests.Injection.Reference;

/// <summary>
/// What in a tokenized HTML fragment can run script: the tags that load or carry script or change how the page
/// resolves (script, iframe, object, svg, base, meta...), event-handler attributes with code in them, URL-valued
/// attributes with a script scheme, style with expression()/behaviours, srcdoc, IE conditional comments, CDATA
/// and XML processing instructions. Plain formatting HTML (b, a href=https, img src=png) is not flagged.
/// </summary>
internal static class HtmlRules
{
    private const int StyleScratch = 256;

    public static bool IsDangerousTag(ReadOnlySpan<char> name)
    {
        // Namespaced names (svg:script) are judged by their local part too, and "scr<script" by what follows the
        // '<': inert as written, it is what a filter that strips one "<script>" leaves behind.
        int colon = name.LastIndexOf(':');
        int lt = name.LastIndexOf('<');
        return IsDangerousLocalName(name) || (colon >= 0 && IsDangerousLocalName(name[(colon + 1)..]))
            || (lt >= 0 && IsDangerousTag(name[(lt + 1)..]));
    }

    private static bool IsDangerousLocalName(ReadOnlySpan<char> name)
    {
        Span<char> lower = stackalloc char[12];
        if (name.Length > lower.Length)
        {
            return false;
        }

        int n = name.ToLowerInvariant(lower);
        return lower[..n] switch
        {
            "script" or "iframe" or "frame" or "frameset" or "object" or "embed" or "applet" or "base" or "link" or "meta"
                or "style" or "xml" or "import" or "isindex" or "math" or "svg" or "vmlframe" or "bgsound" or "layer"
                or "ilayer" or "portal" or "handler" or "listener" => true,
            _ => false,
        };
    }

    public static bool IsDangerousAttribute(ReadOnlySpan<char> name, ReadOnlySpan<char> value)
    {
        if (IsEventHandlerName(name))
        {
            return HasScriptSyntax(value);
        }

        if (name.Equals("style", StringComparison.OrdinalIgnoreCase))
        {
            return IsDangerousStyle(value);
        }

        if (name.Equals("srcdoc", StringComparison.OrdinalIgnoreCase))
        {
            return !value.IsEmpty;
        }

        // Any attribute may be URL-valued (href, src, action, formaction, data, xlink:href, SVG values/to...).
        return UrlSchemes.Classify(value, out _) != UrlSchemeKind.Harmless;
    }

    /// <summary>Comments are inert except IE's conditional comments.</summary>
    public static bool IsDangerousComment(ReadOnlySpan<char> content) =>
        content.TrimStart().StartsWith("[if", StringComparison.OrdinalIgnoreCase);

    /// <summary>&lt;![CDATA[ (a parser-differential trick in HTML) and &lt;?xml / &lt;?import processing instructions.</summary>
    public static bool IsDangerousMarkup(ReadOnlySpan<char> content) =>
        content.StartsWith("![cdata[", StringComparison.OrdinalIgnoreCase)
        || content.StartsWith("?xml", StringComparison.OrdinalIgnoreCase)
        || content.StartsWith("?import", StringComparison.OrdinalIgnoreCase);

    /// <summary>on + letters: onerror, onload, and the ones browsers add next year.</summary>
    private static bool IsEventHandlerName(ReadOnlySpan<char> name)
    {
        if (name.Length < 5 || (name[0] | 0x20) != 'o' || (name[1] | 0x20) != 'n')
        {
            return false;
        }

        foreach (char c in name[2..])
        {
            if (!char.IsAsciiLetter(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Whether a handler's value is code rather than a word: "onboarding=true" and "onSale=yes" are data
    /// attributes of someone's markup, "onerror=alert(1)" is not. A bare identifier does nothing when it runs.
    /// </summary>
    private static bool HasScriptSyntax(ReadOnlySpan<char> value) => value.IndexOfAny("(`=[&:;") >= 0;

    /// <summary>expression(), script URLs, behaviours and bindings, @import; after undoing CSS escapes and comments.</summary>
    private static bool IsDangerousStyle(ReadOnlySpan<char> value)
    {
        Span<char> normal = stackalloc char[StyleScratch];
        int n = 0;
        for (int i = 0; i < value.Length && n < normal.Length; i++)
        {
            char c = value[i];
            if (c == '/' && i + 1 < value.Length && value[i + 1] == '*')
            {
                int close = value[(i + 2)..].IndexOf("*/");
                i = close < 0 ? value.Length : i + 2 + close + 1;
                continue;
            }

            if (c == '\\')
            {
                c = DecodeCssEscape(value, ref i);
            }

            if (c > ' ')
            {
                normal[n++] = char.ToLowerInvariant(c);
            }
        }

        ReadOnlySpan<char> s = normal[..n];
        return s.Contains("expression(", StringComparison.Ordinal) || s.Contains("javascript:", StringComparison.Ordinal)
            || s.Contains("vbscript:", StringComparison.Ordinal) || s.Contains("behavior:", StringComparison.Ordinal)
            || s.Contains("-moz-binding", StringComparison.Ordinal) || s.Contains("@import", StringComparison.Ordinal);
    }

    /// <summary>A CSS escape at <paramref name="i"/> ('\' then up to 6 hex digits, or one character); i ends on its last char.</summary>
    private static char DecodeCssEscape(ReadOnlySpan<char> value, ref int i)
    {
        int code = 0, digits = 0;
        while (digits < 6 && i + 1 < value.Length && char.IsAsciiHexDigit(value[i + 1]))
        {
            code = (code * 16) + UrlSchemes.HexValue(value[i + 1]);
            i++;
            digits++;
        }

        if (digits == 0)
        {
            return i + 1 < value.Length ? value[++i] : ' ';
        }

        return code is > 0 and < 0xD800 ? (char)code : ' ';
    }
}
