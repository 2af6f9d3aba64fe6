namespace EdgeServer.Policy.Waf.Transforms;

/// <summary>Digit parsing shared by the escape decoders.</summary>
internal static class EscapeDigits
{
    public static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    /// <summary>Value of exactly <paramref name="count"/> hex digits at <paramref name="index"/>, or -1.</summary>
    public static int ParseHex(ReadOnlySpan<char> text, int index, int count)
    {
        if (index + count > text.Length)
        {
            return -1;
        }

        int value = 0;
        for (int k = 0; k < count; k++)
        {
            int digit = HexValue(text[index + k]);
            if (digit < 0)
            {
                return -1;
            }

            value = (value << 4) | digit;
        }

        return value;
    }

    /// <summary>
    /// Up to three octal digits at <paramref name="index"/> (the first must be one), as ModSecurity reads
    /// \OOO: a third digit is taken only while the value stays within one byte, so \477 is \47 then '7'.
    /// </summary>
    public static int ParseOctal(ReadOnlySpan<char> text, int index, out int digits)
    {
        int value = 0;
        digits = 0;
        int limit = index < text.Length && text[index] <= '3' ? 3 : 2;
        while (digits < limit && index + digits < text.Length && IsOctal(text[index + digits]))
        {
            value = (value << 3) | (text[index + digits] - '0');
            digits++;
        }

        return value;
    }

    public static bool IsOctal(char c) => c is >= '0' and <= '7';

    /// <summary>
    /// The byte AWS keeps from a 16-bit escape (%uHHHH, \uHHHH, CSS): the low byte, except that full-width
    /// ASCII (U+FF01-U+FF5E) maps to the ASCII it stands for, so %uFF1C still reads as '&lt;'.
    /// </summary>
    public static int LowByteOf(int codePoint) =>
        codePoint is >= 0xFF01 and <= 0xFF5E ? (codePoint & 0xFF) + 0x20 : codePoint & 0xFF;
}
