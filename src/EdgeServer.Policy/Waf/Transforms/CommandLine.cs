namespace EdgeServer.Policy.Waf.Transforms;

/// <summary>
/// CMD_LINE, for commands disguised as c^a"t /e't'c/p\asswd: deletes \ " ' ^, replaces runs of
/// space , ; \t \r \n with one space, deletes that space before / and (, and lowercases A-Z
/// (ModSecurity's cmdLine, which AWS's description follows).
/// </summary>
internal static class CommandLine
{
    public static int Normalize(ReadOnlySpan<char> input, Span<char> output)
    {
        int written = 0;
        bool lastWasSpace = false;
        foreach (char c in input)
        {
            switch (c)
            {
                case '\\' or '"' or '\'' or '^':
                    // Deleted without ending a run of spaces: "a ' b" is "a b".
                    break;
                case ' ' or ',' or ';' or '\t' or '\r' or '\n':
                    if (!lastWasSpace)
                    {
                        output[written++] = ' ';
                        lastWasSpace = true;
                    }

                    break;
                case '/' or '(':
                    if (lastWasSpace)
                    {
                        written--;
                    }

                    output[written++] = c;
                    lastWasSpace = false;
                    break;
                default:
                    output[written++] = char.IsAsciiLetterUpper(c) ? (char)(c | 0x20) : c;
                    lastWasSpace = false;
                    break;
            }
        }

        return written;
    }
}
