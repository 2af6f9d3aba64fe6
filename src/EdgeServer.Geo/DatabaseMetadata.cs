namespace EdgeServer.Geo;

/// <summary>The database's metadata map, checked: only what the reader can use gets this far.</summary>
public sealed class DatabaseMetadata
{
    private DatabaseMetadata(Dictionary<string, object?> map, string source)
    {
        BinaryFormatMajorVersion = Unsigned(map, "binary_format_major_version", source, ushort.MaxValue);
        BinaryFormatMinorVersion = Unsigned(map, "binary_format_minor_version", source, ushort.MaxValue);
        NodeCount = (uint)Unsigned(map, "node_count", source, uint.MaxValue);
        RecordSize = (int)Unsigned(map, "record_size", source, ushort.MaxValue);
        IPVersion = (int)Unsigned(map, "ip_version", source, ushort.MaxValue);
        BuildEpoch = Unsigned(map, "build_epoch", source, ulong.MaxValue);
        DatabaseType = map.TryGetValue("database_type", out var type) && type is string s
            ? s : throw Invalid(source, "database_type is missing or not a string");
        Languages = Strings(map, "languages", source);
        Description = Descriptions(map, source);

        if (BinaryFormatMajorVersion != 2) throw Invalid(source, $"binary format major version {BinaryFormatMajorVersion} (this reader reads version 2)");
        if (RecordSize is not (24 or 28 or 32)) throw Invalid(source, $"record size {RecordSize} (24, 28 or 32 expected)");
        if (IPVersion is not (4 or 6)) throw Invalid(source, $"ip_version {IPVersion} (4 or 6 expected)");
        if (NodeCount == 0) throw Invalid(source, "node_count is 0");
    }

    public ulong BinaryFormatMajorVersion { get; }
    public ulong BinaryFormatMinorVersion { get; }
    public uint NodeCount { get; }
    /// <summary>Bits per search-tree record: 24, 28 or 32.</summary>
    public int RecordSize { get; }
    /// <summary>4: an IPv4 tree (32 levels); 6: an IPv6 tree (128 levels), which may hold IPv4 under ::/96.</summary>
    public int IPVersion { get; }
    public string DatabaseType { get; }
    public IReadOnlyList<string> Languages { get; }
    public IReadOnlyDictionary<string, string> Description { get; }
    /// <summary>Seconds since the Unix epoch. A file may hold any uint64 here, hence the raw value beside <see cref="BuildTime"/>.</summary>
    public ulong BuildEpoch { get; }
    /// <summary>The build time, or null when <see cref="BuildEpoch"/> lies beyond what DateTimeOffset can hold.</summary>
    public DateTimeOffset? BuildTime =>
        BuildEpoch <= (ulong)DateTimeOffset.MaxValue.ToUnixTimeSeconds() ? DateTimeOffset.FromUnixTimeSeconds((long)BuildEpoch) : null;

    /// <summary>Bytes of the search tree: node_count nodes of two records each.</summary>
    internal long SearchTreeSize => (long)NodeCount * RecordSize / 4;

    internal static DatabaseMetadata From(object? decoded, string source) =>
        decoded is Dictionary<string, object?> map ? new DatabaseMetadata(map, source)
        : throw Invalid(source, $"metadata is a {decoded?.GetType().Name ?? "null"}, not a map");

    private static ulong Unsigned(Dictionary<string, object?> map, string key, string source, ulong max)
    {
        if (!map.TryGetValue(key, out var value)) throw Invalid(source, $"{key} is missing");
        ulong n = value switch
        {
            ushort v => v,
            uint v => v,
            ulong v => v,
            _ => throw Invalid(source, $"{key} is a {value?.GetType().Name ?? "null"}, not an unsigned integer"),
        };
        return n <= max ? n : throw Invalid(source, $"{key} {n} is out of range");
    }

    private static string[] Strings(Dictionary<string, object?> map, string key, string source)
    {
        if (!map.TryGetValue(key, out var value)) return [];
        if (value is not List<object?> list) throw Invalid(source, $"{key} is not an array");
        var strings = new string[list.Count];
        for (int i = 0; i < strings.Length; i++)
            strings[i] = list[i] as string ?? throw Invalid(source, $"{key}[{i}] is not a string");
        return strings;
    }

    private static Dictionary<string, string> Descriptions(Dictionary<string, object?> map, string source)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!map.TryGetValue("description", out var value)) return result;
        if (value is not Dictionary<string, object?> descriptions) throw Invalid(source, "description is not a map");
        foreach (var (language, text) in descriptions)
            result[language] = text as string ?? throw Invalid(source, $"description.{language} is not a string");
        return result;
    }

    private static MaxMindDatabaseException Invalid(string source, string what) => new($"{source}: invalid metadata: {what}");
}
