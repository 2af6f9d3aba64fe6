namespace EdgeServer.Policy.Waf.Transforms;

/// <summary>
/// CSS_DECODE, CSS 2.x escapes as ModSecurity's cssDecode reads them: a backslash and 1-6 hex digits,
/// then one optional white-space char, give one byte (the low byte, or the ASCII a full-width
/// U+FF01-U+FF5E stands for: AWS "uses up to two bytes"); a backslash before a newline is a line
/// continuation and vanishes; a backslash before any other char gives that char (ja\vascript is
/// javascript); a backslash at the very end is dropped.
/// </summary>
internal static class CssDecoder
{
    public static int Decode(ReadOnlySpan<char> input, Span<char> output)
    {
        var writer = new DecodedTextWriter(output);
        int i = 0;
        while (i < input.Length)
        {
            char c = input[i++];
            if (c != '\\')
            {
                writer.Char(c);
                continue;
            }

            if (i == input.Length)
            {
                break;
            }

            int value = 0;
            int digits = 0;
            int digit;
            while (digits < 6 && i < input.Length && (digit = EscapeDigits.HexValue(input[i])) >= 0)
            {
                value = (value << 4) | digit;
                digits++;
                i++;
            }

            if (digits > 0)
            {
                writer.Byte(EscapeDigits.LowByteOf(value));
                if (i < input.Length && input[i] is ' ' or '\t' or '\n' or '\v' or '\f' or '\r')
                {
                    i++;
                }
            }
            else if (input[i] == '\n')
            {
                i++;
            }
            else
            {
                writer.Char(input[i++]);
            }
        }

        return writer.Finish();
    }
}
