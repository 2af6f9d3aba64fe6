using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace EdgeServer.Observability;

/// <summary>
/// Writes the Prometheus text exposition format (version 0.0.4) as UTF-8 straight into a buffer
/// writer: family headers, samples with up to two labels, escaping and number formatting. Knows
/// nothing of which metrics exist. One instance per scrape (it tracks the sample being written).
/// </summary>
internal sealed class PrometheusTextWriter(IBufferWriter<byte> output)
{
    private bool _labelsOpen;

    /// <summary>The content type a scrape endpoint should answer with.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    // Largest formatted number: a double in round-trip form or a long, with room to spare.
    private const int MaxNumberBytes = 32;

    /// <summary>"# HELP name help" and "# TYPE name type"; once per family, before its samples.</summary>
    public void WriteFamily(string name, string help, string type)
    {
        WriteRaw("# HELP "u8);
        WriteUtf8(name);
        WriteRaw(" "u8);
        WriteEscaped(help, escapeQuotes: false);
        WriteRaw("\n# TYPE "u8);
        WriteUtf8(name);
        WriteRaw(" "u8);
        WriteUtf8(type);
        WriteRaw("\n"u8);
    }

    /// <summary>Starts a sample line: the family name plus an optional suffix ("_bucket", "_sum", "_count").</summary>
    public void BeginSample(string name, string suffix = "")
    {
        WriteUtf8(name);
        WriteUtf8(suffix);
        _labelsOpen = false;
    }

    /// <summary>Adds one label to the sample begun last; the value is escaped.</summary>
    public void AddLabel(string name, string value)
    {
        WriteRaw(_labelsOpen ? ","u8 : "{"u8);
        _labelsOpen = true;
        WriteUtf8(name);
        WriteRaw("=\""u8);
        WriteEscaped(value, escapeQuotes: true);
        WriteRaw("\""u8);
    }

    /// <summary>Ends the sample with an integral value (counters stay exact beyond 2^53).</summary>
    public void EndSample(long value)
    {
        CloseLabels();
        Span<byte> span = output.GetSpan(MaxNumberBytes);
        if (!Utf8Formatter.TryFormat(value, span, out int written))
        {
            throw new InvalidOperationException("A metric value did not fit its formatting buffer.");
        }
        output.Advance(written);
        WriteRaw("\n"u8);
    }

    /// <summary>Ends the sample with a float value: shortest round-trip form, or NaN, +Inf, -Inf.</summary>
    public void EndSample(double value)
    {
        CloseLabels();
        if (double.IsNaN(value))
        {
            WriteRaw("NaN"u8);
        }
        else if (double.IsPositiveInfinity(value))
        {
            WriteRaw("+Inf"u8);
        }
        else if (double.IsNegativeInfinity(value))
        {
            WriteRaw("-Inf"u8);
        }
        else
        {
            Span<byte> span = output.GetSpan(MaxNumberBytes);
            if (!value.TryFormat(span, out int written, "R", CultureInfo.InvariantCulture))
            {
                throw new InvalidOperationException("A metric value did not fit its formatting buffer.");
            }
            output.Advance(written);
        }
        WriteRaw("\n"u8);
    }

    /// <summary>Metric names: [a-zA-Z_:][a-zA-Z0-9_:]*.</summary>
    public static bool IsValidMetricName(string name) => IsValidName(name, allowColon: true);

    /// <summary>Label names: [a-zA-Z_][a-zA-Z0-9_]*, and not reserved ("__" prefix).</summary>
    public static bool IsValidLabelName(string name) =>
        IsValidName(name, allowColon: false) && !name.StartsWith("__", StringComparison.Ordinal);

    private static bool IsValidName(string name, bool allowColon)
    {
        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
        {
            return false;
        }
        foreach (char c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_' || (allowColon && c == ':')))
            {
                return false;
            }
        }
        return true;
    }

    private void CloseLabels()
    {
        WriteRaw(_labelsOpen ? "} "u8 : " "u8);
        _labelsOpen = false;
    }

    private void WriteRaw(ReadOnlySpan<byte> bytes) => output.Write(bytes);

    private void WriteUtf8(string text)
    {
        Span<byte> span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        output.Advance(Encoding.UTF8.GetBytes(text, span));
    }

    /// <summary>
    /// Backslash and newline are escaped in HELP text and label values; the double quote only in
    /// label values (that is what the 0.0.4 format specifies for each).
    /// </summary>
    private void WriteEscaped(string text, bool escapeQuotes)
    {
        ReadOnlySpan<char> rest = text;
        while (!rest.IsEmpty)
        {
            int special = escapeQuotes ? rest.IndexOfAny('\\', '\n', '"') : rest.IndexOfAny('\\', '\n');
            ReadOnlySpan<char> plain = special < 0 ? rest : rest[..special];
            if (!plain.IsEmpty)
            {
                Span<byte> span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(plain.Length));
                output.Advance(Encoding.UTF8.GetBytes(plain, span));
            }
            if (special < 0)
            {
                return;
            }
            WriteRaw(rest[special] switch
            {
                '\\' => "\\\\"u8,
                '\n' => "\\n"u8,
                _ => "\\\""u8,
            });
            rest = rest[(special + 1)..];
        }
    }
}
