namespace EdgeServer.Config.Values;

/// <summary>
/// Byte sizes as written in config: a whole number with an optional unit. KiB/MiB/GiB/TiB are powers of 1024
/// (what limits are usually meant in); KB/MB/GB/TB are powers of 1000, accepted because people write them; B is bytes.
/// </summary>
internal static class SizeValue
{
    public const string Expected = "a size such as 512, 8KiB, 10MiB or 1GiB (KiB/MiB/GiB are powers of 1024, KB/MB/GB powers of 1000)";

    public static bool TryParse(string text, out long bytes)
    {
        bytes = 0;
        var s = text.AsSpan().Trim();
        int digits = 0;
        while (digits < s.Length && char.IsAsciiDigit(s[digits])) digits++;
        if (digits == 0 || !long.TryParse(s[..digits], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
            return false;

        long multiplier = s[digits..].TrimStart() switch
        {
            "" or "B" => 1,
            "KiB" => 1L << 10,
            "MiB" => 1L << 20,
            "GiB" => 1L << 30,
            "TiB" => 1L << 40,
            "KB" => 1_000,
            "MB" => 1_000_000,
            "GB" => 1_000_000_000,
            "TB" => 1_000_000_000_000,
            _ => 0,
        };
        if (multiplier == 0 || number > long.MaxValue / multiplier) return false;
        bytes = number * multiplier;
        return true;
    }

    /// <summary>The shortest exact rendering in binary units, so /config output can be pasted back into a file.</summary>
    public static string Format(long bytes)
    {
        if (bytes != 0)
        {
            if (bytes % (1L << 40) == 0) return $"{bytes >> 40}TiB";
            if (bytes % (1L << 30) == 0) return $"{bytes >> 30}GiB";
            if (bytes % (1L << 20) == 0) return $"{bytes >> 20}MiB";
            if (bytes % (1L << 10) == 0) return $"{bytes >> 10}KiB";
        }
        return bytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
