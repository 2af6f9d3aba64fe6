namespace EdgeServer.Policy.IpSets;

/// <summary>
/// IP set files: one CIDR or bare address per line; '#' starts a comment (whole line or after the entry); blank lines
/// and surrounding spaces or tabs are ignored. Every bad line is reported with file, line and column; a file with any
/// error yields no set.
/// </summary>
public static class IpSetFile
{
    /// <summary>A million entries are about 20 MB of text; a file far beyond that is the wrong file.</summary>
    public const long MaxFileBytes = 256L * 1024 * 1024;

    /// <summary>Past this many, a file is probably not an IP list at all; the rest are counted, not listed.</summary>
    public const int MaxReportedErrors = 100;

    public static IpSetLoadResult Load(string path)
    {
        string text;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
                return Failed(path, Directory.Exists(path) ? "expected an IP set file, but this is a directory" : "IP set file not found");
            if (info.Length > MaxFileBytes)
                return Failed(path, $"IP set file is {info.Length} bytes; expected at most {MaxFileBytes}");
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.SecurityException or ArgumentException or NotSupportedException)
        {
            return Failed(path, $"cannot read IP set file: {ex.Message}");
        }
        return Parse(text, path);
    }

    /// <param name="text">The file's content.</param>
    /// <param name="source">The name errors carry (usually the path).</param>
    public static IpSetLoadResult Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var builder = new IpSetBuilder();
        var errors = new List<IpSetError>();
        int errorCount = 0, lineNumber = 0;
        (int Line, int Column) firstUnlisted = default;
        foreach (var rawLine in text.AsSpan().EnumerateLines())
        {
            lineNumber++;
            int hash = rawLine.IndexOf('#');
            var line = hash < 0 ? rawLine : rawLine[..hash];
            int start = 0;
            while (start < line.Length && IsBlank(line[start]))
                start++;
            int end = start;
            while (end < line.Length && !IsBlank(line[end]))
                end++;
            if (start == end)
                continue;

            var entry = line[start..end];
            int trailing = end;
            while (trailing < line.Length && IsBlank(line[trailing]))
                trailing++;
            IpPrefixError error;
            if (trailing < line.Length)
                error = new IpPrefixError(trailing - start, "expected one CIDR per line; use '#' before a comment");
            else if (IpPrefix.TryParse(entry, out var prefix, out error))
            {
                builder.Add(prefix);
                continue;
            }

            if (++errorCount <= MaxReportedErrors)
                errors.Add(new IpSetError(source, lineNumber, start + error.Offset + 1, $"'{entry}': {error.Message}"));
            else if (errorCount == MaxReportedErrors + 1)
                firstUnlisted = (lineNumber, start + error.Offset + 1);
        }

        if (errorCount > MaxReportedErrors)
        {
            errors.Add(new IpSetError(source, firstUnlisted.Line, firstUnlisted.Column,
                $"{errorCount - MaxReportedErrors} more errors from here on not shown ({errorCount} in all)"));
        }
        return errorCount == 0 ? new IpSetLoadResult(builder.Build(), []) : new IpSetLoadResult(null, errors);
    }

    private static bool IsBlank(char c) => c is ' ' or '\t';

    private static IpSetLoadResult Failed(string path, string message) => new(null, [new IpSetError(path, 1, 1, message)]);
}
