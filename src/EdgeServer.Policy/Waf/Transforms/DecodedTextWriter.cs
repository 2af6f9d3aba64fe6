using System.Text;

namespace EdgeServer.Policy.Waf.Transforms;

/// <summary>
/// Output cursor of the decoders, which produce both chars (copied text) and bytes (%XX, \xHH, base64...).
/// A byte is written at once as the char of the same value (Latin-1); when a run of consecutive decoded
/// bytes ends, the run is re-read as UTF-8 in place, so %C3%A9 becomes 'é' while a lone %E9 stays 'é' (U+00E9)
/// and malformed sequences keep each byte as its Latin-1 char. Decoding a run never lengthens it, and the
/// cursor never passes the decoder's read position, so in-place use stays safe.
/// </summary>
internal ref struct DecodedTextWriter
{
    private readonly Span<char> output;
    private int position;
    private int runStart;

    /// <param name="position">Chars already in <paramref name="output"/> (a prefix copied as it was).</param>
    public DecodedTextWriter(Span<char> output, int position = 0)
    {
        this.output = output;
        this.position = position;
        runStart = -1;
    }

    public void Char(char c)
    {
        if (runStart >= 0)
        {
            EndRun();
        }

        output[position++] = c;
    }

    public void Byte(int value)
    {
        if (runStart < 0)
        {
            runStart = position;
        }

        output[position++] = (char)(value & 0xFF);
    }

    /// <summary>Ends any pending byte run and returns the length written.</summary>
    public int Finish()
    {
        if (runStart >= 0)
        {
            EndRun();
        }

        return position;
    }

    private void EndRun()
    {
        position = runStart + Utf8Run.DecodeInPlace(output[runStart..position]);
        runStart = -1;
    }
}

/// <summary>Re-reads chars that each hold one byte (0-255) as UTF-8, in place.</summary>
internal static class Utf8Run
{
    public static int DecodeInPlace(Span<char> run)
    {
        int read = 0;
        int write = 0;
        while (read < run.Length)
        {
            char lead = run[read];
            int codePoint = 0;
            int length = lead < 0x80 ? 0 : TryDecode(run, read, out codePoint);
            if (length == 0)
            {
                run[write++] = lead;
                read++;
                continue;
            }

            // The whole sequence was read before writing, and 2-4 bytes give 1-2 chars: write stays behind read.
            write += new Rune(codePoint).EncodeToUtf16(run[write..]);
            read += length;
        }

        return write;
    }

    /// <summary>Length of the well-formed UTF-8 sequence at <paramref name="index"/> (Unicode table 3-7), or 0.</summary>
    private static int TryDecode(ReadOnlySpan<char> bytes, int index, out int codePoint)
    {
        int lead = bytes[index];
        int length;
        int secondMin = 0x80;
        int secondMax = 0xBF;
        switch (lead)
        {
            case >= 0xC2 and <= 0xDF:
                length = 2;
                codePoint = lead & 0x1F;
                break;
            case >= 0xE0 and <= 0xEF:
                length = 3;
                codePoint = lead & 0x0F;
                // No overlong forms, no surrogates.
                if (lead == 0xE0) { secondMin = 0xA0; }
                else if (lead == 0xED) { secondMax = 0x9F; }
                break;
            case >= 0xF0 and <= 0xF4:
                length = 4;
                codePoint = lead & 0x07;
                // No overlong forms, nothing above U+10FFFF.
                if (lead == 0xF0) { secondMin = 0x90; }
                else if (lead == 0xF4) { secondMax = 0x8F; }
                break;
            default:
                codePoint = 0;
                return 0;
        }

        if (index + length > bytes.Length)
        {
            return 0;
        }

        for (int k = 1; k < length; k++)
        {
            int next = bytes[index + k];
            int min = k == 1 ? secondMin : 0x80;
            int max = k == 1 ? secondMax : 0xBF;
            if (next < min || next > max)
            {
                return 0;
            }

            codePoint = (codePoint << 6) | (next & 0x3F);
        }

        return length;
    }
}
