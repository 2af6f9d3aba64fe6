using System.Text;

namespace EdgeServer.Geo;

/// <summary>
/// A compiled path into a record: dot-separated map keys and array indexes, e.g. <c>country.iso_code</c> (GeoIP2),
/// <c>country_code</c> (flat databases) or <c>subdivisions.0.iso_code</c>. Parsed once (from configuration), then
/// used by every lookup: the keys are held as UTF-8 so the walk compares bytes and allocates nothing.
/// </summary>
public sealed class GeoPath
{
    private readonly string _text;

    private GeoPath(string text, Segment[] segments)
    {
        _text = text;
        Segments = segments;
    }

    /// <summary>GeoIP2's country: <c>country.iso_code</c>.</summary>
    public static GeoPath GeoIP2Country { get; } = Parse("country.iso_code");

    internal Segment[] Segments { get; }

    /// <summary>Parses a path; throws <see cref="FormatException"/> for an empty path or an empty segment.</summary>
    public static GeoPath Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!TryParse(text, out var path, out var error)) throw new FormatException(error);
        return path;
    }

    /// <summary>Parses a path; on failure <paramref name="error"/> says why (for config errors with positions).</summary>
    public static bool TryParse(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out GeoPath? path, out string error)
    {
        path = null;
        error = "";
        if (string.IsNullOrEmpty(text))
        {
            error = "a geo path must not be empty (e.g. country.iso_code)";
            return false;
        }
        var parts = text.Split('.');
        var segments = new Segment[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (parts[i].Length == 0)
            {
                error = $"geo path '{text}' has an empty segment";
                return false;
            }
            // A numeric segment indexes an array, but it may also be a map key: the walk decides by what it meets.
            int index = int.TryParse(parts[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) ? n : -1;
            segments[i] = new Segment(Encoding.UTF8.GetBytes(parts[i]), index);
        }
        path = new GeoPath(text, segments);
        return true;
    }

    public override string ToString() => _text;

    internal readonly struct Segment(byte[] key, int index)
    {
        public byte[] Key { get; } = key;
        /// <summary>The array index this segment names, or -1 when it is not a number.</summary>
        public int Index { get; } = index;
    }
}
