namespace EdgeServer.Policy.Waf.Transforms;

/// <summary>
/// NORMALIZE_PATH and NORMALIZE_PATH_WIN: collapses runs of slashes and removes "." segments and ".."
/// segments together with the segment they climb out of. A ".." never climbs above the root of an
/// absolute path (it is dropped); at the start of a relative path it has nothing to remove and is kept,
/// as AWS describes ("back-references that are not at the beginning of the input").
/// A trailing slash, or a trailing "." or ".." that is removed, leaves the result ending in "/"; the output is
/// never longer than the input.
/// </summary>
internal static class PathNormalizer
{
    /// <summary>Backslashes become slashes first, for paths a Windows server would read.</summary>
    public static int NormalizeWindows(ReadOnlySpan<char> input, Span<char> output)
    {
        for (int i = 0; i < input.Length; i++)
        {
            char c = input[i];
            output[i] = c == '\\' ? '/' : c;
        }

        return Normalize(output[..input.Length], output);
    }

    public static int Normalize(ReadOnlySpan<char> input, Span<char> output)
    {
        if (input.IsEmpty)
        {
            return 0;
        }

        bool absolute = input[0] == '/';
        int written = 0;
        if (absolute)
        {
            output[written++] = '/';
        }

        // Output before `floor` is the root or kept leading ".." segments: nothing there can be removed.
        int floor = written;
        bool endsWithSlash = false;
        int i = 0;
        while (i < input.Length)
        {
            if (input[i] == '/')
            {
                endsWithSlash = true;
                i++;
                continue;
            }

            int start = i;
            while (i < input.Length && input[i] != '/')
            {
                i++;
            }

            ReadOnlySpan<char> segment = input[start..i];
            if (segment is ".")
            {
                endsWithSlash = true;
            }
            else if (segment is "..")
            {
                endsWithSlash = true;
                if (written > floor)
                {
                    // Each output char is removed at most once, so these scans stay linear overall.
                    int slash = output[floor..written].LastIndexOf('/');
                    written = slash < 0 ? floor : floor + slash;
                }
                else if (!absolute)
                {
                    // Kept as it is, without the trailing slash a removed segment leaves: "../.." gaining one
                    // would lengthen the text, and a value that fills the buffer would then overflow it.
                    endsWithSlash = false;
                    written = Append(segment, output, written);
                    floor = written;
                }
            }
            else
            {
                endsWithSlash = false;
                written = Append(segment, output, written);
            }
        }

        if (endsWithSlash && written > 0 && output[written - 1] != '/')
        {
            output[written++] = '/';
        }

        return written;
    }

    // The separator written here stands for a slash already read before the segment, so in-place
    // output stays behind the input; CopyTo copies overlapping memory correctly.
    private static int Append(ReadOnlySpan<char> segment, Span<char> output, int written)
    {
        if (written > 0 && output[written - 1] != '/')
        {
            output[written++] = '/';
        }

        segment.CopyTo(output[written..]);
        return written + segment.Length;
    }
}
