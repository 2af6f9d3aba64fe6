using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace EdgeServer.Cli;

/// <summary>
/// Writes values decoded from an MMDB record as JSON for `edge geo lookup`. JSON has no unsigned 128-bit integers,
/// no byte strings and no NaN, so: uint128 becomes a decimal string (exact, whatever the reader's number type),
/// bytes become base64, and non-finite floats become the strings "NaN", "Infinity" and "-Infinity". Every other
/// integer is written as a JSON number with all its digits; floats and doubles in their shortest round-trip form.
/// </summary>
internal static class GeoRecordJson
{
    // Operators read this output: city names in their own scripts, not \uXXXX escapes. Still valid JSON.
    private static readonly JsonWriterOptions Options = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The lookup as one JSON object: the address asked, the network that holds it, and the record.</summary>
    public static string Envelope(string address, string network, object? record) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("ip", address);
        w.WriteString("network", network);
        w.WritePropertyName("record");
        WriteValue(w, record);
        w.WriteEndObject();
    });

    /// <summary>One value as JSON text (a string value as a quoted JSON string).</summary>
    public static string Value(object? value) => Write(w => WriteValue(w, value));

    private static string Write(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Options)) write(writer);
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static void WriteValue(Utf8JsonWriter w, object? value)
    {
        switch (value)
        {
            case null: w.WriteNullValue(); break;
            case Dictionary<string, object?> map:
                w.WriteStartObject();
                foreach (var (key, item) in map)
                {
                    w.WritePropertyName(key);
                    WriteValue(w, item);
                }
                w.WriteEndObject();
                break;
            case List<object?> list:
                w.WriteStartArray();
                foreach (var item in list) WriteValue(w, item);
                w.WriteEndArray();
                break;
            case string text: w.WriteStringValue(text); break;
            case double d when double.IsFinite(d): w.WriteNumberValue(d); break;
            case double d: w.WriteStringValue(NonFinite(d)); break;
            case float f when float.IsFinite(f): w.WriteNumberValue(f); break;
            case float f: w.WriteStringValue(NonFinite(f)); break;
            case byte[] bytes: w.WriteBase64StringValue(bytes); break;
            case ushort n: w.WriteNumberValue(n); break;
            case uint n: w.WriteNumberValue(n); break;
            case int n: w.WriteNumberValue(n); break;
            case ulong n: w.WriteNumberValue(n); break;
            case UInt128 n: w.WriteStringValue(n.ToString(CultureInfo.InvariantCulture)); break;
            case bool b: w.WriteBooleanValue(b); break;
            default: throw new ArgumentException($"not a decoded MMDB value: {value.GetType().Name}", nameof(value));
        }
    }

    private static string NonFinite(double d) => double.IsNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity";
}
