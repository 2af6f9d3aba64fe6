namespace EdgeServer.Policy.Waf.Transforms;

/// <summary>
/// ESCAPE_SEQ_DECODE: the ANSI C escapes \a \b \f \n \r \t \v \\ \? \' \" \xHH (or \XHH) and \OOO
/// (1-3 octal digits, see <see cref="EscapeDigits.ParseOctal"/>). As AWS documents, an encoding that
/// is not valid (\q, \x4G, a backslash at the end) remains in the output unchanged.
/// </summary>
internal static class EscapeSequenceDecoder
{
    public static int Decode(ReadOnlySpan<char> input, Span<char> output)
    {
        var writer = new DecodedTextWriter(output);
        int i = 0;
        while (i < input.Length)
        {
            char c = input[i];
            if (c != '\\' || i + 1 == input.Length)
            {
                writer.Char(c);
                i++;
                continue;
            }

            char next = input[i + 1];
            int value;
            if (next is '\\' or '?' or '\'' or '"')
            {
                writer.Char(next);
                i += 2;
            }
            else if (JsDecoder.SingleLetterEscape(next) is char control)
            {
                writer.Char(control);
                i += 2;
            }
            else if (next is 'x' or 'X' && (value = EscapeDigits.ParseHex(input, i + 2, 2)) >= 0)
            {
                writer.Byte(value);
                i += 4;
            }
            else if (EscapeDigits.IsOctal(next))
            {
                writer.Byte(EscapeDigits.ParseOctal(input, i + 1, out int digits));
                i += 1 + digits;
            }
            else
            {
                writer.Char(c);
                i++;
            }
        }

        return writer.Finish();
    }
}
