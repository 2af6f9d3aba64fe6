using System.Text.RegularExpressions;

namespace EdgeServer.Policy.Waf.Fields;

/// <summary>
/// The literal text every match of a regex starts with, when the pattern makes that plain: `\$\{(jndi|env):`
/// needs "${", `\(\s*\)\s*\{` needs "(". A value without it cannot match, and a vectorised search says so in a
/// few nanoseconds where the regex engine's fixed cost per call is 30. Conservative by construction: anything
/// the scan does not fully understand yields no literal, and the regex alone decides, as before.
/// </summary>
internal static class RegexLiteral
{
    /// <returns>The required prefix, or null when there is none this scan can prove.</returns>
    public static string? RequiredPrefix(string pattern, RegexOptions options)
    {
        if ((options & (RegexOptions.IgnoreCase | RegexOptions.IgnorePatternWhitespace)) != 0) return null;
        if (!HasNoTopLevelAlternation(pattern)) return null;
        var literal = new System.Text.StringBuilder();
        var i = pattern.StartsWith('^') ? 1 : 0;
        while (i < pattern.Length)
        {
            char c;
            int next;
            if (pattern[i] == '\\')
            {
                // Only escaped punctuation is a literal: \d, \b, \x41, \1, \p{..} and the rest are classes, anchors or references.
                if (i + 1 >= pattern.Length || !IsAsciiPunctuation(pattern[i + 1])) break;
                c = pattern[i + 1];
                next = i + 2;
            }
            else
            {
                if (IsMeta(pattern[i])) break;
                c = pattern[i];
                next = i + 1;
            }
            if (next < pattern.Length && pattern[next] is '*' or '?' or '{') break; // the char may be absent
            literal.Append(c);
            if (next < pattern.Length && pattern[next] == '+') break; // present at least once; what follows is not fixed
            i = next;
        }
        return literal.Length > 0 ? literal.ToString() : null;
    }

    private static bool IsAsciiPunctuation(char c) => char.IsAscii(c) && (char.IsPunctuation(c) || char.IsSymbol(c));

    private static bool IsMeta(char c) => c is '.' or '*' or '+' or '?' or '|' or '{' or '}' or '[' or ']' or '(' or ')' or '^' or '$' or '#' || char.IsWhiteSpace(c) && c != ' ';

    /// <summary>
    /// No '|' outside every group and character class: otherwise the first branch's prefix is not needed by the
    /// others. Escapes, classes (with .NET's subtraction) and (?#comments) are skipped; anything unbalanced is
    /// treated as an alternation.
    /// </summary>
    private static bool HasNoTopLevelAlternation(string pattern)
    {
        var depth = 0;
        for (var i = 0; i < pattern.Length; i++)
        {
            switch (pattern[i])
            {
                case '\\':
                    i++;
                    break;
                case '[':
                    i = SkipClass(pattern, i);
                    if (i < 0) return false;
                    break;
                case '(' when pattern.AsSpan(i).StartsWith("(?#"):
                    i = pattern.IndexOf(')', i);
                    if (i < 0) return false;
                    break;
                case '(':
                    depth++;
                    break;
                case ')':
                    if (--depth < 0) return false;
                    break;
                case '|' when depth == 0:
                    return false;
            }
        }
        return depth == 0;
    }

    /// <returns>The index of the ']' closing the class opened at <paramref name="open"/>, or -1.</returns>
    private static int SkipClass(string pattern, int open)
    {
        var i = open + 1;
        if (i < pattern.Length && pattern[i] == '^') i++;
        if (i < pattern.Length && pattern[i] == ']') i++; // a ']' first is a member, not the end
        for (; i < pattern.Length; i++)
        {
            switch (pattern[i])
            {
                case '\\':
                    i++;
                    break;
                case '[':
                    i = SkipClass(pattern, i); // subtraction: [a-z-[aeiou]]
                    if (i < 0) return -1;
                    break;
                case ']':
                    return i;
            }
        }
        return -1;
    }
}
