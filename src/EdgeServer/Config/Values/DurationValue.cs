using System.Globalization;

namespace EdgeServer.Config.Values;

/// <summary>
/// Durations as written in config: one or more whole-number parts with a unit, largest first
/// ("250ms", "10s", "5m", "1h", "1h30m"). A bare number is rejected: "30" could mean seconds or milliseconds.
/// </summary>
internal static class DurationValue
{
    public const string Expected = "a duration such as 250ms, 10s, 5m, 1h or 1m30s (units ms, s, m, h)";

    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        var s = text.AsSpan().Trim();
        if (s.IsEmpty) return false;
        long totalMs = 0;
        long previousUnitMs = long.MaxValue;
        while (!s.IsEmpty)
        {
            int digits = 0;
            while (digits < s.Length && char.IsAsciiDigit(s[digits])) digits++;
            if (digits == 0 || !long.TryParse(s[..digits], NumberStyles.None, CultureInfo.InvariantCulture, out var number)) return false;
            s = s[digits..];

            int unitLength = 0;
            while (unitLength < s.Length && char.IsAsciiLetter(s[unitLength])) unitLength++;
            long unitMs = s[..unitLength] switch
            {
                "ms" => 1,
                "s" => 1_000,
                "m" => 60_000,
                "h" => 3_600_000,
                _ => 0,
            };
            // Units must shrink left to right ("1h30m", not "30m1h" or "1s1s"), so every value has one spelling.
            if (unitMs == 0 || unitMs >= previousUnitMs) return false;
            previousUnitMs = unitMs;
            s = s[unitLength..];

            if (number > (TimeSpan.MaxValue.Ticks / TimeSpan.TicksPerMillisecond - totalMs) / unitMs) return false;
            totalMs += number * unitMs;
        }
        value = TimeSpan.FromMilliseconds(totalMs);
        return true;
    }

    /// <summary>Renders in the same syntax <see cref="TryParse"/> accepts (sub-millisecond parts are dropped).</summary>
    public static string Format(TimeSpan value)
    {
        long ms = (long)value.TotalMilliseconds;
        if (ms == 0) return "0s";
        var parts = new System.Text.StringBuilder();
        Append(parts, ref ms, 3_600_000, "h");
        Append(parts, ref ms, 60_000, "m");
        Append(parts, ref ms, 1_000, "s");
        Append(parts, ref ms, 1, "ms");
        return parts.ToString();

        static void Append(System.Text.StringBuilder sb, ref long remaining, long unit, string suffix)
        {
            if (remaining < unit) return;
            sb.Append(CultureInfo.InvariantCulture, $"{remaining / unit}{suffix}");
            remaining %= unit;
        }
    }
}
