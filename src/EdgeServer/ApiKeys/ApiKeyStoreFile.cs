using System.Globalization;
using EdgeServer.Config;
using EdgeServer.Config.Model;
using EdgeServer.Config.Yaml;
using EdgeServer.Policy.ApiKeys;
using YamlDotNet.RepresentationModel;

namespace EdgeServer.ApiKeys;

/// <summary>
/// Reads the API key store file: YAML holding, per key, its public id, name, owner, usage plan, the SHA-256 of
/// the key, and when it was created and revoked. Never the key itself. Like the config loader it never throws on
/// bad input: a file with any error yields no store, with every error reported at its file:line:column.
/// </summary>
/// <example>
/// <code>
/// keys:
///   - id: "k7f3q2m4xa"
///     name: "billing-service"
///     owner: "Team Billing &lt;billing@example.com&gt;"
///     plan: "gold"
///     sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
///     createdAt: 2025-03-01T12:00:00Z
///     revokedAt: 2025-04-01T08:30:00Z
/// </code>
/// </example>
internal static partial class ApiKeyStoreFile
{
    /// <summary>About 300 bytes per key: a million keys fit with room to spare; a file far beyond is the wrong file.</summary>
    public const long MaxFileBytes = 512L * 1024 * 1024;

    public const string ExpectedTimestamp = "an ISO 8601 timestamp with a zone, like 2025-03-01T12:00:00Z";

    private static readonly string[] TopKeys = ["keys"];
    private static readonly string[] EntryKeys = ["id", "name", "owner", "plan", "sha256", "createdAt", "revokedAt"];

    private static readonly string[] TimestampFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'",
        "yyyy-MM-dd'T'HH:mm:sszzz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz",
    ];

    public static ApiKeyStoreLoadResult Load(string path)
    {
        var full = Path.GetFullPath(path);
        var mark = new SourceMark(full, 1, 1);
        string text;
        try
        {
            var info = new FileInfo(full);
            if (!info.Exists) return Failed(mark, Directory.Exists(full) ? "expected an API key store file, but this is a directory" : "API key store file not found");
            if (info.Length > MaxFileBytes) return Failed(mark, $"API key store file is {info.Length} bytes; expected at most {MaxFileBytes}");
            text = File.ReadAllText(full);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            return Failed(mark, $"cannot read API key store file: {ex.Message}");
        }
        return Parse(text, full);
    }

    public static ApiKeyStoreLoadResult Parse(string text, string source)
    {
        // A new or emptied store (nothing but comments) holds no keys; that is not an error.
        if (IsBlank(text)) return new ApiKeyStoreLoadResult(ApiKeyStore.Empty, []);
        var reader = new YamlNodeReader(source);
        var root = ConfigLoader.ParseSingleDocument(text, reader);
        var entries = root is null ? [] : ReadKeys(root, reader);
        if (reader.Errors.Count > 0)
            return new ApiKeyStoreLoadResult(null, [.. reader.Errors.OrderBy(e => e.Mark.Line).ThenBy(e => e.Mark.Column).Select(Redacted)]);
        return new ApiKeyStoreLoadResult(new ApiKeyStore(entries), []);
    }

    private static List<ApiKeyEntry> ReadKeys(YamlMappingNode root, YamlNodeReader reader)
    {
        var result = new List<ApiKeyEntry>();
        var top = reader.Entries(root, "the key store", TopKeys);
        if (top.Count == 0)
        {
            if (root.Children.Count == 0) reader.Error(root, "the key store needs 'keys': a list of keys (or [] for none)");
            return result;
        }
        var keys = top[0];
        if (keys.Value is YamlScalarNode scalar && YamlNodeReader.IsNull(scalar)) return result;
        if (reader.Sequence(keys.Value, "'keys'") is not { } list) return result;

        var ids = new Dictionary<ulong, SourceMark>();
        var names = new Dictionary<string, SourceMark>(StringComparer.Ordinal);
        foreach (var node in list.Children)
        {
            if (reader.Mapping(node, "each key") is not { } map) continue;
            if (ReadEntry(map, reader, ids, names) is { } entry) result.Add(entry);
        }
        return result;
    }

    private static ApiKeyEntry? ReadEntry(YamlMappingNode map, YamlNodeReader reader, Dictionary<ulong, SourceMark> ids, Dictionary<string, SourceMark> names)
    {
        ApiKeyId? id = null;
        string? name = null, owner = null, plan = null;
        byte[]? hash = null;
        DateTimeOffset? createdAt = null, revokedAt = null;
        YamlEntry? revokedEntry = null;
        var entries = reader.Entries(map, "a key", EntryKeys);
        foreach (var e in entries)
        {
            if (e.Value is YamlScalarNode { Value: { } raw } && ApiKeyFormat.TryParse(raw.Trim(), out _))
            {
                // Never echo it: error messages end up in terminals, CI logs and tickets.
                reader.Error(e.Value, $"'{e.Key}' holds what looks like a plain API key; the store keeps only its SHA-256 (edge keys create writes it). Remove it and revoke that key: it has been exposed");
                continue;
            }
            switch (e.Key)
            {
                case "id": id = ReadId(e, reader, ids); break;
                case "name": name = ReadName(e, reader, names, "key name"); break;
                case "owner": owner = ReadOwner(e, reader); break;
                case "plan": plan = ReadName(e, reader, null, "plan name"); break;
                case "sha256": hash = ReadHash(e, reader); break;
                case "createdAt": createdAt = ReadTimestamp(e, reader); break;
                case "revokedAt": revokedAt = ReadTimestamp(e, reader); revokedEntry = e; break;
            }
        }

        var what = name is null ? "each key" : $"key '{name}'";
        foreach (var (field, reason) in new[] { ("id", "its public id"), ("name", "a unique name"), ("plan", "the usage plan it is bound to"), ("sha256", "the SHA-256 of the key"), ("createdAt", "when it was created") })
        {
            if (!entries.Any(e => e.Key == field)) reader.Error(map, $"{what} needs '{field}': {reason}");
        }
        if (createdAt is { } c && revokedAt is { } r && r < c)
            reader.Error(revokedEntry!.Value.Value, $"'revokedAt' ({r:yyyy-MM-ddTHH:mm:ssZ}) is before 'createdAt' ({c:yyyy-MM-ddTHH:mm:ssZ})");
        if (id is null || name is null || plan is null || hash is null || createdAt is null) return null;
        if (entries.Any(e => e.Key == "revokedAt") && revokedAt is null) return null;
        return new ApiKeyEntry(id.Value, name, owner, plan, hash, createdAt.Value, revokedAt);
    }

    private static ApiKeyId? ReadId(YamlEntry e, YamlNodeReader reader, Dictionary<ulong, SourceMark> ids)
    {
        var text = reader.String(e, "a key id");
        if (text is null) return null;
        if (!ApiKeyId.TryParse(text.Trim(), out var id))
        {
            reader.Error(e.Value, $"'id': expected 10 characters of a-z and 2-7 (the <id> in edge_<id>_<secret>), got '{YamlNodeReader.Shorten(text)}'");
            return null;
        }
        var mark = reader.MarkOf(e.Value);
        if (!ids.TryAdd(id.Value, mark))
        {
            reader.Error(mark, $"duplicate key id '{id}' (first at line {ids[id.Value].Line})");
            return null;
        }
        return id;
    }

    private static string? ReadName(YamlEntry e, YamlNodeReader reader, Dictionary<string, SourceMark>? seen, string what)
    {
        var text = reader.String(e, what);
        if (text is null) return null;
        if (!ApiKeyNames.IsValidName(text))
        {
            reader.Error(e.Value, $"'{e.Key}': expected {ApiKeyNames.ExpectedName}, got '{YamlNodeReader.Shorten(text)}'");
            return null;
        }
        if (seen is null) return text;
        var mark = reader.MarkOf(e.Value);
        if (!seen.TryAdd(text, mark))
        {
            reader.Error(mark, $"duplicate key name '{text}' (first at line {seen[text].Line})");
            return null;
        }
        return text;
    }

    private static string? ReadOwner(YamlEntry e, YamlNodeReader reader)
    {
        if (e.Value is YamlScalarNode scalar && YamlNodeReader.IsNull(scalar)) return null;
        var text = reader.String(e, "the key's owner");
        if (text is null || ApiKeyNames.IsValidOwner(text)) return text;
        reader.Error(e.Value, $"'owner': expected {ApiKeyNames.ExpectedOwner}, got '{YamlNodeReader.Shorten(text)}'");
        return null;
    }

    private static byte[]? ReadHash(YamlEntry e, YamlNodeReader reader)
    {
        var text = reader.String(e, "64 hexadecimal digits");
        if (text is null) return null;
        var hex = text.Trim();
        if (hex.Length != 2 * ApiKeyEntry.HashLength || !hex.All(char.IsAsciiHexDigit))
        {
            reader.Error(e.Value, $"'sha256': expected 64 hexadecimal digits (the SHA-256 of the whole key), got '{YamlNodeReader.Shorten(text)}' ({hex.Length} characters)");
            return null;
        }
        return Convert.FromHexString(hex);
    }

    private static DateTimeOffset? ReadTimestamp(YamlEntry e, YamlNodeReader reader)
    {
        var text = reader.String(e, ExpectedTimestamp);
        if (text is null) return null;
        if (DateTimeOffset.TryParseExact(text.Trim(), TimestampFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value))
            return value.ToUniversalTime();
        reader.Error(e.Value, $"'{e.Key}': expected {ExpectedTimestamp}, got '{YamlNodeReader.Shorten(text)}'");
        return null;
    }

    /// <summary>
    /// Errors echo the values they are about (shortened to 57 characters, which still shows most of a secret); a key
    /// pasted anywhere in the file, even as a field name, has its secret cut from the message.
    /// </summary>
    private static ConfigError Redacted(ConfigError error) =>
        PlainKey().IsMatch(error.Message) ? error with { Message = PlainKey().Replace(error.Message, "edge_$1_(secret removed)") } : error;

    [System.Text.RegularExpressions.GeneratedRegex("edge_([a-z2-7]{10})_[0-9A-Za-z]{4,}")]
    private static partial System.Text.RegularExpressions.Regex PlainKey();

    private static bool IsBlank(string text)
    {
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            var trimmed = line.Trim();
            if (trimmed.Length > 0 && trimmed[0] != '#') return false;
        }
        return true;
    }

    private static ApiKeyStoreLoadResult Failed(SourceMark mark, string message) => new(null, [new ConfigError(mark, message)]);
}
