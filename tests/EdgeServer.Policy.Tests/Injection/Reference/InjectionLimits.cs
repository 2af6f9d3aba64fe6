// Frozen copy of src/EdgeServer.Policy/Injection/InjectionLimits.cs as of commit c8c0ffc, before the fast paths: the oracle
// InjectionDifferentialTests compares the detectors with. Do not edit; it is the old behaviour by definition.
namespace EdgeServer.Policy.Tests.Injection.Reference;

/// <summary>Bounds shared by the injection detectors.</summary>
internal static class InjectionLimits
{
    /// <summary>
    /// Only the first 8 KiB characters of an input are examined. Both detectors are linear, so this caps the cost
    /// of one call whatever the body size (a clean 8 KiB body: a few hundred microseconds for SQLi, about a hundred
    /// for XSS on the shared benchmark machine, see docs/performance.md); an attack placed beyond the cap goes unseen, which
    /// is why the WAF's oversize handling for bodies (block or inspect the first N KiB) is the owner of that risk.
    /// </summary>
    public const int MaxInputChars = 8 * 1024;

    internal static ReadOnlySpan<char> Cap(ReadOnlySpan<char> input) =>
        input.Length > MaxInputChars ? input[..MaxInputChars] : input;
}
