using EdgeServer.Policy.Waf.Transforms;

namespace EdgeServer.Policy.Waf.Fields;

/// <summary>
/// A look at a value's raw bytes that proves an inspection cannot match, before the value is widened and
/// transformed. Most predicates need some char in the transformed text (ByteMatch its search string, a regex
/// its literal, XSS one of "&lt;&gt;=:&amp;"), and most transformations can only produce a char from itself or
/// from an escape that starts with a known char: URL_DECODE makes anything out of '%' but nothing out of plain
/// text. Walking the chain backwards gives the bytes the raw value must hold for the needed char to appear at
/// the end; one vectorised search for them answers "no match" for the common value that holds none (a path
/// without '.' or '%' cannot contain "../" after URL_DECODE_UNI). Transformations whose output chars are not
/// bounded that way (BASE64_DECODE, HEX_DECODE, CMD_LINE...) give no screen, and the inspection runs as before.
/// </summary>
internal static class RawScreen
{
    /// <summary>
    /// Chars of ordinary values, most common first (separators and digits, then letters roughly as often as they
    /// appear in paths and header values): a screen on a rarer char lets more values through unread. Chars not
    /// listed ('&lt;', '$', '(', '%'...) are the rarest. The order only decides how often a screen helps, never its answer.
    /// </summary>
    private const string ByFrequency = " /.-_=&:;,0123456789eatoinsrlcpdmuhgbfwyvkxjzq";

    private static int Commonness(char c)
    {
        var index = ByFrequency.IndexOf(char.ToLowerInvariant(c));
        return index < 0 ? 0 : ByFrequency.Length - index;
    }

    /// <returns>The bytes of which a raw value must hold one for <paramref name="predicate"/> to match; null when no screen is sound.</returns>
    public static byte[]? For(IReadOnlyList<TextTransformationType> chain, TextPredicate predicate)
    {
        if (predicate.NeededChars is not { Count: > 0 } needed) return null;
        var sources = new HashSet<char>();
        foreach (var allOf in needed)
        {
            // Every char of it is needed, so one is enough to look for: the one whose commonest source is rarest.
            var best = allOf.Distinct()
                .Select(c => Sources(chain, [c]))
                .Where(s => s is not null)
                .OrderBy(s => s!.Max(Commonness))
                .ThenBy(s => s!.Count)
                .FirstOrDefault();
            if (best is null) return null;
            sources.UnionWith(best);
        }
        return [.. sources.Where(c => c <= 0xFF).Select(c => (byte)c).Order()];
    }

    /// <summary>
    /// The chars an input must hold for the chain's output to hold one of <paramref name="output"/>; null when a
    /// transformation of the chain can make such a char out of anything.
    /// </summary>
    internal static HashSet<char>? Sources(IReadOnlyList<TextTransformationType> chain, IEnumerable<char> output)
    {
        var set = new HashSet<char>(output);
        for (var i = chain.Count - 1; i >= 0; i--)
        {
            if (!AddSources(chain[i], set)) return null;
        }
        return set;
    }

    /// <summary>Widens <paramref name="set"/> from chars wanted in one transformation's output to chars needed in its input.</summary>
    private static bool AddSources(TextTransformationType type, HashSet<char> set)
    {
        switch (type)
        {
            case TextTransformationType.None:
            case TextTransformationType.RemoveNulls:
                return true;
            case TextTransformationType.Lowercase: // ASCII only (see CharacterFilters.Lowercase)
                foreach (var c in set.Where(char.IsAsciiLetterLower).ToArray()) set.Add(char.ToUpperInvariant(c));
                return true;
            case TextTransformationType.UrlDecode:
            case TextTransformationType.UrlDecodeUni:
                set.Add('%');
                if (set.Contains(' ')) set.Add('+');
                return true;
            case TextTransformationType.HtmlEntityDecode:
                set.Add('&');
                return true;
            case TextTransformationType.JsDecode:
            case TextTransformationType.CssDecode:
            case TextTransformationType.EscapeSeqDecode:
                set.Add('\\');
                return true;
            case TextTransformationType.CompressWhiteSpace:
                if (set.Contains(' ')) set.UnionWith("\t\n\v\f\r\u00A0");
                return true;
            case TextTransformationType.ReplaceNulls:
                if (set.Contains(' ')) set.Add('\0');
                return true;
            case TextTransformationType.NormalizePath:
            case TextTransformationType.NormalizePathWin:
                // It only drops chars and writes '/', which a '.' segment alone can call for ("..": "../").
                if (set.Contains('/'))
                {
                    set.Add('.');
                    if (type == TextTransformationType.NormalizePathWin) set.Add('\\');
                }
                return true;
            default:
                return false;
        }
    }
}
