using EdgeServer.Policy.Injection;

namespace EdgeServer.Policy.Tests.Injection;

/// <summary>
/// The fast paths of the detectors (prefilters, vectorised skipping) must not change a single verdict: the
/// detectors are compared with a frozen copy of the code before them (Injection/Reference/) on the corpus and on
/// about 500,000 generated inputs (<see cref="InjectionFuzzInputs"/>). For SQLi the fingerprint must match too.
/// </summary>
public class InjectionDifferentialTests
{
    private static readonly IReadOnlyList<string> Corpus =
    [
        .. InjectionCorpus.Load("sqli-attacks.txt"), .. InjectionCorpus.Load("xss-attacks.txt"), .. InjectionCorpus.Load("benign.txt"),
    ];

    [Fact]
    public void SqlVerdictsAndFingerprintsMatchTheReference()
    {
        Span<char> expected = stackalloc char[SqlInjectionDetector.FingerprintCapacity];
        Span<char> actual = stackalloc char[SqlInjectionDetector.FingerprintCapacity];
        int compared = 0, flagged = 0;
        var mismatches = new List<string>();
        foreach (string input in InjectionFuzzInputs.All(Corpus))
        {
            bool reference = Reference.SqlInjectionDetector.IsSqlInjection(input, expected, out int expectedLength);
            bool fast = SqlInjectionDetector.IsSqlInjection(input, actual, out int actualLength);
            if (reference != fast || !expected[..expectedLength].SequenceEqual(actual[..actualLength])
                || fast != SqlInjectionDetector.IsSqlInjection(input))
            {
                mismatches.Add($"{Show(input)}: reference {reference} {expected[..expectedLength]}, now {fast} {actual[..actualLength]}");
            }

            compared++;
            flagged += reference ? 1 : 0;
        }

        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {compared} differ:\n{string.Join('\n', mismatches.Take(20))}");
        // Both verdicts are well represented, so neither side of a fast path goes untested.
        Assert.InRange(flagged, 5_000, compared - 5_000);
    }

    [Fact]
    public void XssVerdictsMatchTheReference()
    {
        int compared = 0, flagged = 0;
        var mismatches = new List<string>();
        foreach (string input in InjectionFuzzInputs.All(Corpus))
        {
            bool reference = Reference.XssDetector.IsXss(input);
            if (reference != XssDetector.IsXss(input))
            {
                mismatches.Add($"{Show(input)}: reference {reference}");
            }

            compared++;
            flagged += reference ? 1 : 0;
        }

        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {compared} differ:\n{string.Join('\n', mismatches.Take(20))}");
        // Both verdicts are well represented, so neither side of a fast path goes untested.
        Assert.InRange(flagged, 5_000, compared - 5_000);
    }

    private static string Show(string input) =>
        input.Length > 200 ? $"[{input.Length} chars] {input[..200]}..." : input;
}
