using System.Globalization;
using System.Text.Json;

namespace EdgeServer.EndToEnd.Tests.Geo;

/// <summary>
/// libmaxminddb's `mmdblookup` output (a value per line, scalars tagged with their type: <c>"GB" &lt;utf8_string&gt;</c>,
/// <c>100 &lt;uint16&gt;</c>) read back into a tree, and compared value by value with the JSON `edge geo lookup` prints,
/// each scalar by the rule its JSON rendering follows (bytes as base64, uint128 as a decimal string, floats to %f).
/// </summary>
internal static class MmdblookupOutput
{
    public abstract record Node;
    public sealed record MapNode(List<(string Key, Node Value)> Entries) : Node;
    public sealed record ArrayNode(List<Node> Items) : Node;
    public sealed record ScalarNode(string Text, string Type) : Node;

    /// <summary>The prefix length from `mmdblookup -v` ("Record prefix length: N"), IPv6 bits in an IPv6 tree.</summary>
    public static int PrefixLength(string output)
    {
        const string marker = "Record prefix length:";
        int at = output.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0) throw new FormatException($"no prefix length in mmdblookup output: {output}");
        int end = output.IndexOf('\n', at);
        return int.Parse(output.AsSpan(at + marker.Length, end - at - marker.Length).Trim(), CultureInfo.InvariantCulture);
    }

    /// <summary>The value mmdblookup printed (after the metadata block, when -v was given).</summary>
    public static Node Parse(string output)
    {
        int prefixLine = output.IndexOf("Record prefix length:", StringComparison.Ordinal);
        if (prefixLine >= 0) output = output[output.IndexOf('\n', prefixLine)..];
        var lines = output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
        int i = 0;
        var node = ParseNode(lines, ref i);
        if (i != lines.Count) throw new FormatException($"unexpected line after the value: {lines[i]}");
        return node;
    }

    /// <summary>Asserts that <paramref name="json"/> is <paramref name="expected"/> as `edge geo lookup` renders it.</summary>
    public static void AssertSame(Node expected, JsonElement json, string where = "$")
    {
        switch (expected)
        {
            case MapNode map:
                Assert.True(json.ValueKind == JsonValueKind.Object, $"{where}: expected an object, got {json.ValueKind}");
                Assert.Equal(map.Entries.Select(e => e.Key), json.EnumerateObject().Select(p => p.Name));
                foreach (var (key, value) in map.Entries) AssertSame(value, json.GetProperty(key), $"{where}.{key}");
                break;
            case ArrayNode array:
                Assert.True(json.ValueKind == JsonValueKind.Array, $"{where}: expected an array, got {json.ValueKind}");
                Assert.Equal(array.Items.Count, json.GetArrayLength());
                for (int k = 0; k < array.Items.Count; k++) AssertSame(array.Items[k], json[k], $"{where}[{k}]");
                break;
            case ScalarNode scalar:
                Assert.True(Render(scalar.Type, json) == scalar.Text, $"{where}: mmdblookup {scalar.Text} <{scalar.Type}>, edge {json.GetRawText()}");
                break;
        }
    }

    /// <summary>Our JSON value in mmdblookup's notation for <paramref name="type"/>.</summary>
    private static string Render(string type, JsonElement json) => type switch
    {
        "utf8_string" => json.GetString()!,
        "uint16" or "uint32" or "uint64" or "int32" => json.ValueKind == JsonValueKind.Number ? json.GetRawText() : "not a number",
        "boolean" => json.GetRawText(),
        "double" => json.GetDouble().ToString("F6", CultureInfo.InvariantCulture),
        "float" => ((double)float.Parse(json.GetRawText(), CultureInfo.InvariantCulture)).ToString("F6", CultureInfo.InvariantCulture),
        "bytes" => Convert.ToHexString(json.GetBytesFromBase64()),
        "uint128" => "0x" + UInt128.Parse(json.GetString()!, CultureInfo.InvariantCulture).ToString("X32", CultureInfo.InvariantCulture),
        _ => throw new FormatException($"unknown mmdblookup type <{type}>"),
    };

    private static Node ParseNode(List<string> lines, ref int i)
    {
        string line = lines[i++];
        if (line == "{")
        {
            var entries = new List<(string, Node)>();
            while (lines[i] != "}")
            {
                string key = lines[i++];
                if (!key.EndsWith("\":", StringComparison.Ordinal)) throw new FormatException($"expected a key, got {key}");
                entries.Add((key[1..^2], ParseNode(lines, ref i)));
            }
            i++;
            return new MapNode(entries);
        }
        if (line == "[")
        {
            var items = new List<Node>();
            while (lines[i] != "]") items.Add(ParseNode(lines, ref i));
            i++;
            return new ArrayNode(items);
        }
        int tag = line.LastIndexOf(" <", StringComparison.Ordinal);
        if (tag < 0 || !line.EndsWith('>')) throw new FormatException($"expected a typed value, got {line}");
        string type = line[(tag + 2)..^1], text = line[..tag];
        if (type == "utf8_string") text = text[1..^1];
        return new ScalarNode(text, type);
    }
}
