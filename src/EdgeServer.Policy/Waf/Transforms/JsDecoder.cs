namespace EdgeServer.Policy.Waf.Transforms;

/// <summary>
/// JS_DECODE, as ModSecurity's jsDecode: \uHHHH (the byte AWS keeps, see <see cref="EscapeDigits.LowByteOf"/>),
/// \xHH, \OOO, the single-letter escapes \a \b \f \n \r \t \v, and a backslash before any other char
/// gives that char (\' \" \\ \? \/ ...), as a JavaScript string literal would read it. An incomplete
/// \u or \x escape gives the letter ("\u12" is "u12"); a backslash at the very end is kept.
/// </summary>
internal static class JsDecoder
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
            if (next == 'u' && (value = EscapeDigits.ParseHex(input, i + 2, 4)) >= 0)
            {
                writer.Byte(EscapeDigits.LowByteOf(value));
                i += 6;
            }
            else if (next == 'x' && (value = EscapeDigits.ParseHex(input, i + 2, 2)) >= 0)
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
                writer.Char(SingleLetterEscape(next) ?? next);
                i += 2;
            }
        }

        return writer.Finish();
    }

    /// <summary>The control char of \a \b \f \n \r \t \v; null for any other letter.</summary>
    public static char? SingleLetterEscape(char letter) => letter switch
    {
        'a' => '\a',
        'b' => '\b',
        'f' => '\f',
        'n' => '\n',
        'r' => '\r',
        't' => '\t',
        'v' => '\v',
        _ => null,
    };
}
