using System.Text.Json;

namespace EdgeServer.WebSocketApi;

/// <summary>
/// The route selection expression, API Gateway's <c>$request.body.action</c>: a dotted path of JSON property names
/// into a text message, whose string value names the route key. Selecting reads the message in place with
/// <see cref="Utf8JsonReader"/> and compares against the configured keys' bytes (escapes included), so it allocates
/// nothing; a message that is not a JSON object, lacks the property, or names no configured key selects none.
/// </summary>
internal sealed class RouteSelector
{
    private const string Prefix = "$request.body.";

    /// <summary>Deeper than any sane message: a path this long is a typo, and a message this deep is refused by the reader.</summary>
    private const int MaxDepth = 16;

    private readonly byte[][] _path;

    private RouteSelector(byte[][] path) => _path = path;

    public static bool TryParse(string expression, out RouteSelector? selector, out string? problem)
    {
        selector = null;
        problem = null;
        if (!expression.StartsWith(Prefix, StringComparison.Ordinal) || expression.Length == Prefix.Length)
        {
            problem = $"expected {Prefix}NAME (a property of the JSON message, such as $request.body.action), got '{expression}'";
            return false;
        }
        var names = expression[Prefix.Length..].Split('.');
        if (names.Length > MaxDepth || names.Any(n => n.Length == 0 || n.Any(c => c <= ' ' || c >= 0x7F)))
        {
            problem = $"'{expression}': expected up to {MaxDepth} dot-separated property names, each non-empty printable ASCII";
            return false;
        }
        selector = new RouteSelector([.. names.Select(System.Text.Encoding.ASCII.GetBytes)]);
        return true;
    }

    /// <summary>The index in <paramref name="keys"/> of the key the message names; -1: none (use $default).</summary>
    public int Select(ReadOnlySpan<byte> message, byte[][] keys)
    {
        var reader = new Utf8JsonReader(message, new JsonReaderOptions { MaxDepth = MaxDepth * 4 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return -1;
            for (var level = 0; level < _path.Length; level++)
            {
                if (!FindProperty(ref reader, _path[level])) return -1;
                if (!reader.Read()) return -1;
                if (level < _path.Length - 1)
                {
                    if (reader.TokenType != JsonTokenType.StartObject) return -1;
                    continue;
                }
                if (reader.TokenType != JsonTokenType.String) return -1;
                for (var k = 0; k < keys.Length; k++)
                {
                    if (reader.ValueTextEquals(keys[k])) return k;
                }
            }
            return -1;
        }
        catch (JsonException)
        {
            return -1;
        }
    }

    /// <summary>Moves to the named property of the object just opened; false when the object ends first.</summary>
    private static bool FindProperty(ref Utf8JsonReader reader, byte[] name)
    {
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndObject) return false;
            if (reader.TokenType != JsonTokenType.PropertyName) return false;
            if (reader.ValueTextEquals(name)) return true;
            reader.Skip();   // the property name's value, whole
        }
        return false;
    }
}
