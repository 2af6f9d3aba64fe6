using EdgeServer.Policy.Injection;
using Xunit.Abstractions;

namespace EdgeServer.Policy.Tests.Injection;

/// <summary>
/// Detection and false-positive rates over the corpus, with the misses printed. The thresholds are the ones
/// recorded in docs/waf-detectors.md: at least 95 % of attacks detected, at most 1 % of ordinary inputs flagged
/// by either detector. The corpus was written alongside the detectors, so these rates are an upper bound of
/// what unseen traffic gives; the thresholds leave room for that and fail on a regression.
/// </summary>
public class InjectionCorpusTests(ITestOutputHelper output)
{
    private const double MinDetection = 0.95;
    private const double MaxFalsePositives = 0.01;

    [Fact]
    public void SqlInjectionDetectionRate() =>
        AssertDetection("sqli-attacks.txt", s => SqlInjectionDetector.IsSqlInjection(s));

    [Fact]
    public void XssDetectionRate() => AssertDetection("xss-attacks.txt", s => XssDetector.IsXss(s));

    [Fact]
    public void FalsePositiveRateOnOrdinaryInputs()
    {
        IReadOnlyList<string> benign = InjectionCorpus.Load("benign.txt");
        Assert.True(benign.Count >= 300, $"the benign corpus has only {benign.Count} inputs");
        int sql = 0, xss = 0;
        foreach (string input in benign)
        {
            if (SqlInjectionDetector.IsSqlInjection(input))
            {
                sql++;
                output.WriteLine($"SQLi false positive: {input}");
            }

            if (XssDetector.IsXss(input))
            {
                xss++;
                output.WriteLine($"XSS false positive: {input}");
            }
        }

        output.WriteLine($"benign: {benign.Count} inputs, SQLi flagged {sql} ({Percent(sql, benign.Count)}), XSS flagged {xss} ({Percent(xss, benign.Count)})");
        Assert.True((double)sql / benign.Count <= MaxFalsePositives, $"SQLi false positives {Percent(sql, benign.Count)}");
        Assert.True((double)xss / benign.Count <= MaxFalsePositives, $"XSS false positives {Percent(xss, benign.Count)}");
    }

    private void AssertDetection(string file, Func<string, bool> detect)
    {
        IReadOnlyList<string> attacks = InjectionCorpus.Load(file);
        Assert.True(attacks.Count >= 150, $"{file} has only {attacks.Count} attacks");
        int detected = 0;
        foreach (string attack in attacks)
        {
            if (detect(attack))
            {
                detected++;
            }
            else
            {
                output.WriteLine($"missed: {attack}");
            }
        }

        output.WriteLine($"{file}: detected {detected} of {attacks.Count} ({Percent(detected, attacks.Count)})");
        Assert.True((double)detected / attacks.Count >= MinDetection, $"{file}: detection {Percent(detected, attacks.Count)}");
    }

    private static string Percent(int part, int whole) => $"{100.0 * part / whole:0.0} %";
}
