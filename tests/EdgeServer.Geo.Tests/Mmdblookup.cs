using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace EdgeServer.Geo.Tests;

/// <summary>
/// libmaxminddb's reference command line (Debian mmdb-bin), the oracle of the differential tests, and a renderer
/// of our decoded values in its output format so whole records compare as text.
/// </summary>
internal static class Mmdblookup
{
    public const string Command = "mmdblookup";

    /// <summary>One lookup: found, the prefix length libmaxminddb reports (IPv6 bits in an IPv6 tree), and the value's text.</summary>
    public readonly record struct Answer(bool Found, int PrefixLength, string Text);

    public static Answer Lookup(string database, string address, params string[] path)
    {
        var start = new ProcessStartInfo(Command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in (string[])["-v", "-f", database, "-i", address, .. path]) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (error.Contains("Could not find an entry", StringComparison.Ordinal)) return new Answer(false, -1, "");
        if (process.ExitCode != 0) return new Answer(false, -1, "error: " + error.Trim());
        const string marker = "Record prefix length:";
        int at = output.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0) throw new InvalidOperationException($"unexpected mmdblookup output for {address}: {output}");
        int lineEnd = output.IndexOf('\n', at);
        int prefix = int.Parse(output.AsSpan(at + marker.Length, lineEnd - at - marker.Length).Trim(), CultureInfo.InvariantCulture);
        return new Answer(true, prefix, Normalize(output[lineEnd..]));
    }

    /// <summary>Our decoded value in mmdblookup's notation (values with their type), whitespace-normalised.</summary>
    public static string Render(object? value)
    {
        var text = new StringBuilder();
        Render(value, text);
        return Normalize(text.ToString());
    }

    private static void Render(object? value, StringBuilder s)
    {
        switch (value)
        {
            case Dictionary<string, object?> map:
                s.Append("{\n");
                foreach (var (key, item) in map)
                {
                    s.Append('"').Append(key).Append("\": \n");
                    Render(item, s);
                }
                s.Append("}\n");
                break;
            case List<object?> list:
                s.Append("[\n");
                foreach (var item in list) Render(item, s);
                s.Append("]\n");
                break;
            case string text: s.Append('"').Append(text).Append("\" <utf8_string>\n"); break;
            case double d: s.Append(CFloat(d)).Append(" <double>\n"); break;
            case float f: s.Append(CFloat(f)).Append(" <float>\n"); break;
            case byte[] bytes: s.Append(Convert.ToHexString(bytes)).Append(" <bytes>\n"); break;
            case ushort n: s.Append(n.ToString(CultureInfo.InvariantCulture)).Append(" <uint16>\n"); break;
            case uint n: s.Append(n.ToString(CultureInfo.InvariantCulture)).Append(" <uint32>\n"); break;
            case int n: s.Append(n.ToString(CultureInfo.InvariantCulture)).Append(" <int32>\n"); break;
            case ulong n: s.Append(n.ToString(CultureInfo.InvariantCulture)).Append(" <uint64>\n"); break;
            case UInt128 n: s.Append("0x").Append(n.ToString("X32", CultureInfo.InvariantCulture)).Append(" <uint128>\n"); break;
            case bool b: s.Append(b ? "true" : "false").Append(" <boolean>\n"); break;
            default: throw new ArgumentException($"unexpected decoded type {value?.GetType().Name ?? "null"}");
        }
    }

    // printf("%f"): six decimals, and C's spelling of the special values.
    private static string CFloat(double d) =>
        double.IsPositiveInfinity(d) ? "inf" : double.IsNegativeInfinity(d) ? "-inf" : double.IsNaN(d) ? "nan" : d.ToString("F6", CultureInfo.InvariantCulture);

    private static string Normalize(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return string.Join('\n', lines);
    }
}
