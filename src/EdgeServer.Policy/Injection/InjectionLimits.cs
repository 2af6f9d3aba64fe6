namespace EdgeServer.Policy.Injection;

/// <summary>Bounds shared by the injection detectors.</summary>
public static class InjectionLimits
{
    /// <summary>
    /// Only the first 8 KiB characters of an input are examined. Both detectors are linear, so this caps the cost
    /// of one call whatever the body size (a clean 8 KiB body: under a microsecond to ~20 µs when it holds no SQL
    /// evidence, ~100 µs for SQLi and ~25 µs for XSS when it is full of quotes, SQL words and HTML; see
    /// docs/performance.md); an attack placed beyond the cap goes unseen, which
    /// is why the WAF's oversize handling for bodies (block or inspect the first N KiB) is the owner of that risk.
    /// </summary>
    public const int MaxInputChars = 8 * 1024;

    internal static ReadOnlySpan<char> Cap(ReadOnlySpan<char> input) =>
        input.Length > MaxInputChars ? input[..MaxInputChars] : input;
}
