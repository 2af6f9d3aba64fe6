namespace EdgeServer.Policy.Waf.Transforms;

/// <summary>HEX_DECODE and SQL_HEX_DECODE. Decoded bytes become chars as <see cref="DecodedTextWriter"/> says.</summary>
internal static class HexDecoder
{
    /// <summary>
    /// Each pair of hex digits, read left to right, gives one byte; any other char, and a hex digit
    /// without a partner, is kept as it is ("414" is "A4", "41 42" is "A B"). AWS only says it decodes
    /// hex; ModSecurity decodes blindly by pairs even through non-hex chars, which garbles them.
    /// </summary>
    public static int Decode(ReadOnlySpan<char> input, Span<char> output)
    {
        var writer = new DecodedTextWriter(output);
        int i = 0;
        while (i < input.Length)
        {
            int value = EscapeDigits.ParseHex(input, i, 2);
            if (value >= 0)
            {
                writer.Byte(value);
                i += 2;
            }
            else
            {
                writer.Char(input[i++]);
            }
        }

        return writer.Finish();
    }

    /// <summary>
    /// SQL hex literals, as ModSecurity's sqlHexDecode: 0x (or 0X) followed by at least one pair of hex
    /// digits decodes pair by pair until the pairs end (0x414243 is ABC, 0x4142434 is ABC4);
    /// everything else is copied.
    /// </summary>
    public static int DecodeSql(ReadOnlySpan<char> input, Span<char> output)
    {
        var writer = new DecodedTextWriter(output);
        int i = 0;
        while (i < input.Length)
        {
            if (input[i] == '0' && i + 1 < input.Length && input[i + 1] is 'x' or 'X' && EscapeDigits.ParseHex(input, i + 2, 2) >= 0)
            {
                i += 2;
                int value;
                while ((value = EscapeDigits.ParseHex(input, i, 2)) >= 0)
                {
                    writer.Byte(value);
                    i += 2;
                }

                continue;
            }

            writer.Char(input[i++]);
        }

        return writer.Finish();
    }
}
