using System.Globalization;
using EdgeServer.Policy.ApiKeys;

namespace EdgeServer.ApiKeys;

/// <summary>
/// Writes the key store file for `edge keys create|revoke`: the whole file is rewritten to a temporary file in the
/// same directory, flushed to disk, then renamed over the old one, so the daemon (which may reload it at any
/// moment) reads either the old store or the new one, never half of one. Only hashes are written.
/// </summary>
/// <remarks>
/// The file is machine-written and machine-read; comments added by hand are not kept. Strings are double-quoted
/// (so an id or hash that happens to look like a YAML number stays a string); timestamps are UTC to the second.
/// </remarks>
internal static class ApiKeyStoreWriter
{
    /// <summary>Mode of a store created from scratch: only hashes inside, but no reason for others to read it.</summary>
    private const UnixFileMode NewFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;

    public const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    public static void Write(string path, IEnumerable<ApiKeyEntry> entries)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        var mode = File.Exists(full) && !OperatingSystem.IsWindows() ? File.GetUnixFileMode(full) : NewFileMode;
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = mode;
            using (var stream = new FileStream(temp, options))
            {
                var bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(Format(entries));
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    public static string Format(IEnumerable<ApiKeyEntry> entries)
    {
        var text = new StringBuilder();
        text.Append("# EdgeServer API key store, written by `edge keys create` and `edge keys revoke`.\n");
        text.Append("# Each key is kept as the SHA-256 of the whole key; the keys themselves are shown once, when created, and stored nowhere.\n");
        var list = entries.ToList();
        if (list.Count == 0)
        {
            text.Append("keys: []\n");
            return text.ToString();
        }
        text.Append("keys:\n");
        foreach (var e in list)
        {
            text.Append("  - id: ").Append(Quoted(e.IdText)).Append('\n');
            text.Append("    name: ").Append(Quoted(e.Name)).Append('\n');
            if (e.Owner is not null) text.Append("    owner: ").Append(Quoted(e.Owner)).Append('\n');
            text.Append("    plan: ").Append(Quoted(e.Plan)).Append('\n');
            text.Append("    sha256: ").Append(Quoted(e.Sha256Hex)).Append('\n');
            text.Append("    createdAt: ").Append(Timestamp(e.CreatedAt)).Append('\n');
            if (e.RevokedAt is { } revoked) text.Append("    revokedAt: ").Append(Timestamp(revoked)).Append('\n');
        }
        return text.ToString();
    }

    public static string Timestamp(DateTimeOffset at) => at.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture);

    /// <summary>YAML double-quoted: owners are one printable line (<see cref="ApiKeyNames.IsValidOwner"/>), so only \ and " need escapes.</summary>
    private static string Quoted(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
