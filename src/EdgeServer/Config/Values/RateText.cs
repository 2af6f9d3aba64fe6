using System.Globalization;

namespace EdgeServer.Config.Values;

/// <summary>Rates as written in config: a whole number of requests per unit, "100/s", "6000/m", "50000/h", "1000000/d".</summary>
internal static class RateText
{
    public const string Expected = "a rate such as 100/s, 6000/m, 50000/h or 1000000/d";

    public static bool TryParse(string text, out long count, out TimeSpan period)
    {
        count = 0;
        period = default;
        var s = text.AsSpan().Trim();
        var slash = s.IndexOf('/');
        if (slash <= 0) return false;
        if (!long.TryParse(s[..slash].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out count) || count <= 0) return false;
        period = s[(slash + 1)..].Trim() switch
        {
            "s" or "sec" or "second" => TimeSpan.FromSeconds(1),
            "m" or "min" or "minute" => TimeSpan.FromMinutes(1),
            "h" or "hour" => TimeSpan.FromHours(1),
            "d" or "day" => TimeSpan.FromDays(1),
            _ => default,
        };
        // Faster than one per 100 ns cannot be represented in TimeSpan ticks; nobody needs that rate per key.
        return period != default && period.Ticks / count >= 1;
    }
}
