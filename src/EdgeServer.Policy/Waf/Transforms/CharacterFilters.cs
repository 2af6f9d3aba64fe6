using System.Text;

namespace EdgeServer.Policy.Waf.Transforms;

/// <summary>Transformations that look at one char at a time: LOWERCASE, REMOVE_NULLS, REPLACE_NULLS, COMPRESS_WHITE_SPACE.</summary>
internal static class CharacterFilters
{
    /// <summary>A-Z to a-z only, as AWS documents: Unicode case mapping would fold e.g. the Kelvin sign into 'k'.</summary>
    public static int Lowercase(ReadOnlySpan<char> input, Span<char> output)
    {
        // Vectorised over the ASCII prefix (it stops at the first non-ASCII char); the loop does the rest.
        int i = 0;
        if (TextTransformations.SameStart(input, output))
        {
            Ascii.ToLowerInPlace(output[..input.Length], out i);
        }
        else if (!input.Overlaps(output))
        {
            Ascii.ToLower(input, output, out i);
        }

        for (; i < input.Length; i++)
        {
            char c = input[i];
            output[i] = char.IsAsciiLetterUpper(c) ? (char)(c | 0x20) : c;
        }

        return input.Length;
    }

    public static int RemoveNulls(ReadOnlySpan<char> input, Span<char> output)
    {
        int written = 0;
        foreach (char c in input)
        {
            if (c != '\0')
            {
                output[written++] = c;
            }
        }

        return written;
    }

    public static int ReplaceNulls(ReadOnlySpan<char> input, Span<char> output)
    {
        for (int i = 0; i < input.Length; i++)
        {
            char c = input[i];
            output[i] = c == '\0' ? ' ' : c;
        }

        return input.Length;
    }

    /// <summary>Space, \t \n \v \f \r and no-break space (U+00A0) become one space per run.</summary>
    public static int CompressWhiteSpace(ReadOnlySpan<char> input, Span<char> output)
    {
        int written = 0;
        bool inSpace = false;
        foreach (char c in input)
        {
            if (IsWhiteSpace(c))
            {
                if (!inSpace)
                {
                    output[written++] = ' ';
                    inSpace = true;
                }
            }
            else
            {
                output[written++] = c;
                inSpace = false;
            }
        }

        return written;
    }

    private static bool IsWhiteSpace(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r' or '\u00A0';
}
