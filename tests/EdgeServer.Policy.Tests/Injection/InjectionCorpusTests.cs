using EdgeServer.Policy.Injection;
using Xunit.Abstractions;

namespace EdgeServer.Policy.Tests.Injection;

/// <summary>
/// Detection and false-positive rates over the corpus, per attack family and benign category, with the misses and
/// false positives printed; docs/performance.md ("WAF injection detectors") records what these print. Thresholds:
/// at least 95 % of attacks detected overall and 90 % in every family (so one family cannot collapse behind the
/// others), at most 1 % of ordinary inputs flagged by either detector. The corpus was written alongside the
/// detectors, so these rates are an upper bound of what unseen traffic gives; the thresholds leave room for that
/// and fail on a regression.
/// Report: dotnet test tests/EdgeServer.Policy.Tests -c Release --filter "FullyQualifiedName~InjectionCorpusTests" --logger "console;verbosity=detailed"
/// </summary>
public class InjectionCorpusTests(ITestOutputHelper output)
{
    private const double MinDetection = 0.95;
    private const double MinFamilyDetection = 0.90;
    private const double MaxFalsePositives = 0.01;

    [Fact]
    public void SqlInjectionDetectionRate() =>
        AssertDetection("sqli-attacks.txt", s => SqlInjectionDetector.IsSqlInjection(s));

    [Fact]
    public void XssDetectionRate() => AssertDetection("xss-attacks.txt", s => XssDetector.IsXss(s));

    [Fact]
    public void FalsePositiveRateOnOrdinaryInputs()
    {
        IReadOnlyList<(string Section, string Input)> benign = InjectionCorpus.LoadSections("benign.txt");
        Assert.True(benign.Count >= 300, $"the benign corpus has only {benign.Count} inputs");
        int sql = 0, xss = 0;
        foreach (IGrouping<string, (string Section, string Input)> category in benign.GroupBy(entry => entry.Section))
        {
            int categorySql = 0, categoryXss = 0;
            foreach ((_, string input) in category)
            {
                if (SqlInjectionDetector.IsSqlInjection(input))
                {
                    categorySql++;
                    output.WriteLine($"  SQLi false positive: {input}");
                }

                if (XssDetector.IsXss(input))
                {
                    categoryXss++;
                    output.WriteLine($"  XSS false positive: {input}");
                }
            }

            output.WriteLine($"{category.Key}: {category.Count()} inputs, SQLi flagged {categorySql}, XSS flagged {categoryXss}");
            sql += categorySql;
            xss += categoryXss;
        }

        output.WriteLine($"benign: {benign.Count} inputs, SQLi flagged {sql} ({Percent(sql, benign.Count)}), XSS flagged {xss} ({Percent(xss, benign.Count)})");
        Assert.True((double)sql / benign.Count <= MaxFalsePositives, $"SQLi false positives {Percent(sql, benign.Count)}");
        Assert.True((double)xss / benign.Count <= MaxFalsePositives, $"XSS false positives {Percent(xss, benign.Count)}");
    }

    private void AssertDetection(string file, Func<string, bool> detect)
    {
        IReadOnlyList<(string Section, string Input)> attacks = InjectionCorpus.LoadSections(file);
        Assert.True(attacks.Count >= 150, $"{file} has only {attacks.Count} attacks");
        int detected = 0;
        var weakFamilies = new List<string>();
        foreach (IGrouping<string, (string Section, string Input)> family in attacks.GroupBy(entry => entry.Section))
        {
            int familyDetected = 0;
            foreach ((_, string attack) in family)
            {
                if (detect(attack))
                {
                    familyDetected++;
                }
                else
                {
                    output.WriteLine($"  missed: {attack}");
                }
            }

            int count = family.Count();
            output.WriteLine($"{family.Key}: detected {familyDetected} of {count} ({Percent(familyDetected, count)})");
            if ((double)familyDetected / count < MinFamilyDetection)
            {
                weakFamilies.Add(family.Key);
            }

            detected += familyDetected;
        }

        output.WriteLine($"{file}: detected {detected} of {attacks.Count} ({Percent(detected, attacks.Count)})");
        Assert.True((double)detected / attacks.Count >= MinDetection, $"{file}: detection {Percent(detected, attacks.Count)}");
        Assert.True(weakFamilies.Count == 0, $"{file}: families below {MinFamilyDetection:P0}: {string.Join(", ", weakFamilies)}");
    }

    private static string Percent(int part, int whole) => $"{100.0 * part / whole:0.0} %";
}
