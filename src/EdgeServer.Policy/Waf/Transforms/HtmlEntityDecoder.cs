using System.Text;

namespace EdgeServer.Policy.Waf.Transforms;

/// <summary>
/// HTML_ENTITY_DECODE: &amp;#DDDD; and &amp;#xHHHH; give the code point they name (any number of digits,
/// the ';' optional, as browsers read them); a number that is not a Unicode scalar value (a surrogate,
/// above U+10FFFF) is left as it is. Named entities come from <see cref="HtmlNamedEntities"/> and need
/// their ';', except the few that browsers and ModSecurity also take without it (&amp;lt &amp;gt &amp;amp
/// &amp;quot &amp;nbsp). Anything else after '&amp;' is kept as it is.
/// </summary>
internal static class HtmlEntityDecoder
{
    // Longer than any name in the table: a longer run of letters cannot be an entity.
    private const int MaxNameLength = 16;

    public static int Decode(ReadOnlySpan<char> input, Span<char> output)
    {
        int i = input.IndexOf('&');
        if (i < 0) i = input.Length;
        TextTransformations.CopyPrefix(input, output, i);
        int written = i;
        while (i < input.Length)
        {
            char c = input[i];
            if (c == '&')
            {
                int consumed = input[(i + 1)..] is ['#', ..]
                    ? TryNumeric(input, i, out int codePoint)
                    : TryNamed(input, i, out codePoint);
                if (consumed > 0)
                {
                    // An entity is at least 3 chars and gives at most 2 (a surrogate pair needs 5+ digits).
                    written += new Rune(codePoint).EncodeToUtf16(output[written..]);
                    i += consumed;
                    continue;
                }
            }

            output[written++] = c;
            i++;
        }

        return written;
    }

    /// <summary>Length of the numeric reference at <paramref name="start"/> ('&amp;'), or 0.</summary>
    private static int TryNumeric(ReadOnlySpan<char> input, int start, out int codePoint)
    {
        codePoint = 0;
        int i = start + 2;
        bool hex = i < input.Length && input[i] is 'x' or 'X';
        if (hex)
        {
            i++;
        }

        int firstDigit = i;
        long value = 0;
        int digit;
        while (i < input.Length && (digit = hex ? EscapeDigits.HexValue(input[i]) : DecimalValue(input[i])) >= 0)
        {
            // Saturate rather than overflow: anything past U+10FFFF is rejected below anyway.
            value = Math.Min(value * (hex ? 16 : 10) + digit, 0x110000);
            i++;
        }

        if (i == firstDigit || !Rune.IsValid((int)value))
        {
            return 0;
        }

        codePoint = (int)value;
        if (i < input.Length && input[i] == ';')
        {
            i++;
        }

        return i - start;
    }

    /// <summary>Length of the named reference at <paramref name="start"/> ('&amp;'), or 0.</summary>
    private static int TryNamed(ReadOnlySpan<char> input, int start, out int codePoint)
    {
        codePoint = 0;
        int i = start + 1;
        while (i < input.Length && i - start <= MaxNameLength && char.IsAsciiLetterOrDigit(input[i]))
        {
            i++;
        }

        ReadOnlySpan<char> name = input[(start + 1)..i];
        char value = HtmlNamedEntities.Lookup(name);
        if (value == '\0')
        {
            return 0;
        }

        if (i < input.Length && input[i] == ';')
        {
            i++;
        }
        else if (!HtmlNamedEntities.AllowedWithoutSemicolon(name))
        {
            return 0;
        }

        codePoint = value;
        return i - start;
    }

    private static int DecimalValue(char c) => char.IsAsciiDigit(c) ? c - '0' : -1;
}
