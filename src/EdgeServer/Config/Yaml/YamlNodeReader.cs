using System.Globalization;
using System.Net;
using EdgeServer.Config.Model;
using EdgeServer.Config.Values;
using YamlDotNet.RepresentationModel;

namespace EdgeServer.Config.Yaml;

/// <summary>
/// Typed reads from YAML nodes that never throw: a value that does not fit is recorded as a
/// <see cref="ConfigError"/> at the node's position (what was expected, what was found) and the read returns null,
/// so binding carries on and every error in the file is reported at once.
/// </summary>
internal sealed class YamlNodeReader(string file)
{
    private readonly List<ConfigError> _errors = [];

    public string File => file;
    public IReadOnlyList<ConfigError> Errors => _errors;

    public SourceMark MarkOf(YamlNode node) => new(file, (int)node.Start.Line, (int)node.Start.Column);

    public void Error(SourceMark mark, string message) => _errors.Add(new ConfigError(mark, message));

    public void Error(YamlNode node, string message) => Error(MarkOf(node), message);

    /// <summary>The known keys of a mapping; unknown keys are reported (with a suggestion) and skipped.</summary>
    public List<YamlEntry> Entries(YamlMappingNode map, string context, string[] knownKeys)
    {
        var entries = new List<YamlEntry>(map.Children.Count);
        foreach (var (keyNode, value) in map.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key })
            {
                Error(keyNode, $"{context}: expected a key name, got {Describe(keyNode)}");
                continue;
            }
            if (Array.IndexOf(knownKeys, key) < 0)
            {
                var suggestion = KeySuggestion.Closest(key, knownKeys);
                var hint = suggestion is null ? "" : $" (did you mean '{suggestion}'?)";
                Error(keyNode, $"unknown key '{key}' in {context}{hint}; expected one of: {string.Join(", ", knownKeys)}");
                continue;
            }
            entries.Add(new YamlEntry(key, (YamlScalarNode)keyNode, value));
        }
        return entries;
    }

    public YamlMappingNode? Mapping(YamlNode node, string what)
    {
        if (node is YamlMappingNode map) return map;
        Error(node, $"{what}: expected a mapping of keys to values, got {Describe(node)}");
        return null;
    }

    public YamlSequenceNode? Sequence(YamlNode node, string what)
    {
        if (node is YamlSequenceNode seq) return seq;
        Error(node, $"{what}: expected a list ('- item' lines or [a, b]), got {Describe(node)}");
        return null;
    }

    public string? Scalar(YamlNode node, string what, string expected)
    {
        if (node is YamlScalarNode scalar && !IsNull(scalar)) return scalar.Value ?? "";
        Error(node, $"{what}: expected {expected}, got {Describe(node)}");
        return null;
    }

    public string? String(YamlEntry e, string expected = "a string") => Scalar(e.Value, $"'{e.Key}'", expected);

    /// <summary>A string that must not be empty after trimming (names, paths).</summary>
    public string? NonEmptyString(YamlEntry e, string expected)
    {
        var s = String(e, expected);
        if (s is null) return null;
        if (s.Trim().Length == 0)
        {
            Error(e.Value, $"'{e.Key}': expected {expected}, got an empty string");
            return null;
        }
        return s.Trim();
    }

    public bool? Bool(YamlEntry e)
    {
        var s = String(e, "true or false");
        if (s is null) return null;
        if (s.Equals("true", StringComparison.OrdinalIgnoreCase)) return true;
        if (s.Equals("false", StringComparison.OrdinalIgnoreCase)) return false;
        Error(e.Value, $"'{e.Key}': expected true or false, got '{Shorten(s)}'");
        return null;
    }

    public int? Int(YamlEntry e, int min, int max = int.MaxValue)
    {
        var s = String(e, "a whole number");
        if (s is null) return null;
        if (!long.TryParse(s.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
        {
            Error(e.Value, $"'{e.Key}': expected a whole number, got '{Shorten(s)}'");
            return null;
        }
        return (int?)CheckRange(e, n, min, max, n.ToString(CultureInfo.InvariantCulture));
    }

    public long? Size(YamlEntry e, long min, long max = long.MaxValue)
    {
        var s = String(e, SizeValue.Expected);
        if (s is null) return null;
        var trimmed = s.Trim();
        if (trimmed.StartsWith('-') && SizeValue.TryParse(trimmed[1..], out _))
        {
            Error(e.Value, $"'{e.Key}' must not be negative, got '{Shorten(s)}'");
            return null;
        }
        if (!SizeValue.TryParse(trimmed, out var bytes))
        {
            Error(e.Value, $"'{e.Key}': expected {SizeValue.Expected}, got '{Shorten(s)}'");
            return null;
        }
        return CheckRange(e, bytes, min, max, SizeValue.Format(bytes));
    }

    /// <summary><paramref name="allowZero"/> false: a zero timeout or interval would fire immediately or spin.</summary>
    public TimeSpan? Duration(YamlEntry e, bool allowZero = false)
    {
        var s = String(e, DurationValue.Expected);
        if (s is null) return null;
        if (!DurationValue.TryParse(s, out var value))
        {
            var reason = s.Trim().StartsWith('-') ? "must not be negative" : $"expected {DurationValue.Expected}";
            Error(e.Value, $"'{e.Key}': {reason}, got '{Shorten(s)}'");
            return null;
        }
        if (value == TimeSpan.Zero && !allowZero)
        {
            Error(e.Value, $"'{e.Key}' must be greater than zero, got '{Shorten(s)}'");
            return null;
        }
        return value;
    }

    /// <summary>Enum members by name, case-insensitive; numbers are not accepted (they would hide typos).</summary>
    public T? Enum<T>(YamlEntry e) where T : struct, Enum
    {
        var names = System.Enum.GetNames<T>().Select(n => char.ToLowerInvariant(n[0]) + n[1..]).ToArray();
        var expected = "one of " + string.Join(", ", names);
        var s = String(e, expected);
        if (s is null) return null;
        foreach (var value in System.Enum.GetValues<T>())
        {
            if (string.Equals(value.ToString(), s.Trim(), StringComparison.OrdinalIgnoreCase)) return value;
        }
        var suggestion = KeySuggestion.Closest(s.Trim(), names);
        Error(e.Value, $"'{e.Key}': expected {expected}, got '{Shorten(s)}'{(suggestion is null ? "" : $" (did you mean '{suggestion}'?)")}");
        return null;
    }

    public IPEndPoint? ListenAddress(YamlEntry e)
    {
        var s = String(e, EndpointValue.ExpectedListen);
        if (s is null) return null;
        if (EndpointValue.TryParseListen(s, out var endPoint, out var error)) return endPoint;
        Error(e.Value, $"'{e.Key}': expected {EndpointValue.ExpectedListen}, got '{Shorten(s)}': {error}");
        return null;
    }

    /// <summary>Plain empty, "~" and "null" are YAML's null; a quoted "" is an empty string.</summary>
    public static bool IsNull(YamlScalarNode scalar) =>
        scalar.Style is YamlDotNet.Core.ScalarStyle.Plain or YamlDotNet.Core.ScalarStyle.Any
        && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";

    public static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode s when IsNull(s) => "no value",
        YamlScalarNode s => $"'{Shorten(s.Value ?? "")}'",
        _ => "an alias",
    };

    /// <summary>Values are echoed in messages; a pasted certificate should not fill the terminal.</summary>
    public static string Shorten(string value) => value.Length <= 60 ? value : value[..57] + "...";

    private long? CheckRange(YamlEntry e, long n, long min, long max, string shown)
    {
        string? problem = n < min ? (min == 0 ? "must not be negative" : $"must be at least {min}")
            : n > max ? $"must be at most {max}"
            : null;
        if (problem is null) return n;
        Error(e.Value, $"'{e.Key}' {problem}, got {shown}");
        return null;
    }
}

/// <summary>One key/value pair of a mapping whose key is known to the schema.</summary>
internal readonly record struct YamlEntry(string Key, YamlScalarNode KeyNode, YamlNode Value);
