namespace EdgeServer.Policy.Waf.Transforms;

/// <summary>
/// BASE64_DECODE and BASE64_DECODE_EXT over the standard alphabet (A-Z a-z 0-9 + /).
/// BASE64_DECODE decodes from the start up to the first char outside the alphabet ('=' padding
/// included) and drops the rest, as ModSecurity's base64Decode (APR) does; text that does not start
/// with base64 therefore decodes to nothing. BASE64_DECODE_EXT is AWS's "forgiving" variant: it skips
/// every char outside the alphabet, '=' included, wherever it is, and decodes the others as one stream.
/// Either way, missing padding is accepted and trailing bits that do not fill a byte are dropped.
/// Decoded bytes become chars as <see cref="DecodedTextWriter"/> says.
/// </summary>
internal static class Base64Decoder
{
    public static int Decode(ReadOnlySpan<char> input, Span<char> output, bool skipInvalid)
    {
        var writer = new DecodedTextWriter(output);
        int bits = 0;
        int pendingBits = 0;
        foreach (char c in input)
        {
            int sextet = SextetOf(c);
            if (sextet < 0)
            {
                if (skipInvalid)
                {
                    continue;
                }

                break;
            }

            // At most 7 pending bits plus 6 new ones: 13 bits are enough.
            bits = ((bits << 6) | sextet) & 0x1FFF;
            pendingBits += 6;
            if (pendingBits >= 8)
            {
                pendingBits -= 8;
                writer.Byte(bits >> pendingBits);
            }
        }

        return writer.Finish();
    }

    private static int SextetOf(char c) => c switch
    {
        >= 'A' and <= 'Z' => c - 'A',
        >= 'a' and <= 'z' => c - 'a' + 26,
        >= '0' and <= '9' => c - '0' + 52,
        '+' => 62,
        '/' => 63,
        _ => -1,
    };
}
