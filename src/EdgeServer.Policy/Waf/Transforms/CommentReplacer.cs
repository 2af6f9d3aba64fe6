namespace EdgeServer.Policy.Waf.Transforms;

/// <summary>
/// REPLACE_COMMENTS: each /* ... */ becomes one space, so un/**/ion stays two words and
/// union/**/select becomes "union select". An unterminated comment runs to the end and is replaced too;
/// a lone */ is left alone (AWS).
/// </summary>
internal static class CommentReplacer
{
    public static int Replace(ReadOnlySpan<char> input, Span<char> output)
    {
        int written = 0;
        int i = 0;
        bool inComment = false;
        while (i < input.Length)
        {
            bool pairFollows = i + 1 < input.Length;
            if (!inComment)
            {
                if (input[i] == '/' && pairFollows && input[i + 1] == '*')
                {
                    inComment = true;
                    i += 2;
                }
                else
                {
                    output[written++] = input[i++];
                }
            }
            else if (input[i] == '*' && pairFollows && input[i + 1] == '/')
            {
                inComment = false;
                output[written++] = ' ';
                i += 2;
            }
            else
            {
                i++;
            }
        }

        if (inComment)
        {
            output[written++] = ' ';
        }

        return written;
    }
}
