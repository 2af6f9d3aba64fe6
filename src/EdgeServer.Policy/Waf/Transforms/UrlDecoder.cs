namespace EdgeServer.Policy.Waf.Transforms;

/// <summary>
/// URL_DECODE and URL_DECODE_UNI, non-strict as ModSecurity's urlDecode/urlDecodeUni: %XX gives a byte,
/// '+' a space (form encoding, which query strings use), and a '%' not followed by a valid escape is
/// kept as it is. URL_DECODE_UNI also reads Microsoft's %uHHHH, keeping the byte AWS keeps
/// (<see cref="EscapeDigits.LowByteOf"/>). Decoded bytes become chars as <see cref="DecodedTextWriter"/> says.
/// </summary>
internal static class UrlDecoder
{
    public static int Decode(ReadOnlySpan<char> input, Span<char> output, bool percentU)
    {
        // Most values (and nearly all bodies) hold no escape: find the first one vectorised and copy up to it.
        int i = input.IndexOfAny('%', '+');
        if (i < 0) i = input.Length;
        TextTransformations.CopyPrefix(input, output, i);
        var writer = new DecodedTextWriter(output, i);
        while (i < input.Length)
        {
            char c = input[i];
            if (c == '%')
            {
                if (percentU && i + 1 < input.Length && input[i + 1] is 'u' or 'U')
                {
                    int wide = EscapeDigits.ParseHex(input, i + 2, 4);
                    if (wide >= 0)
                    {
                        writer.Byte(EscapeDigits.LowByteOf(wide));
                        i += 6;
                        continue;
                    }
                }

                int value = EscapeDigits.ParseHex(input, i + 1, 2);
                if (value >= 0)
                {
                    writer.Byte(value);
                    i += 3;
                    continue;
                }
            }

            writer.Char(c == '+' ? ' ' : c);
            i++;
        }

        return writer.Finish();
    }
}
