using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace EdgeServer.Tests.Observability;

/// <summary>
/// A strict reader of the Prometheus text format 0.0.4 for tests: every line must match the
/// grammar, every family has HELP then TYPE exactly once before its samples, a family's samples are
/// contiguous, no series repeats, and histogram buckets are cumulative with +Inf equal to _count.
/// Throws with the offending line number otherwise.
/// </summary>
internal sealed partial class PrometheusExposition
{
    private const string Name = "[a-zA-Z_:][a-zA-Z0-9_:]*";
    private const string LabelName = "[a-zA-Z_][a-zA-Z0-9_]*";
    private const string LabelValue = "\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"";
    private const string Value = "(?:[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]Inf|NaN)";

    [GeneratedRegex("^# HELP (" + Name + ") ((?:[^\\\\\\n]|\\\\[\\\\n])*)$")]
    private static partial Regex HelpLine();

    [GeneratedRegex("^# TYPE (" + Name + ") (counter|gauge|histogram|summary|untyped)$")]
    private static partial Regex TypeLine();

    [GeneratedRegex("^(" + Name + ")(?:\\{((?:" + LabelName + "=" + LabelValue + ")(?:," + LabelName + "=" + LabelValue + ")*)?\\})? (" + Value + ")$")]
    private static partial Regex SampleLine();

    [GeneratedRegex("(" + LabelName + ")=" + LabelValue)]
    private static partial Regex LabelPair();

    public Dictionary<string, string> Help { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, string> Types { get; } = new(StringComparer.Ordinal);
    public List<Sample> Samples { get; } = [];

    public sealed record Sample(string Family, string Name, IReadOnlyDictionary<string, string> Labels, double Value, string RawLabels)
    {
        public string Label(string name) => Labels.TryGetValue(name, out string? value) ? value : throw new KeyNotFoundException(name);
    }

    public static PrometheusExposition Parse(string text)
    {
        var result = new PrometheusExposition();
        if (text.Length == 0)
        {
            return result;
        }
        if (!text.EndsWith('\n'))
        {
            throw new FormatException("The exposition must end with a line feed.");
        }
        string[] lines = text[..^1].Split('\n');
        var closedFamilies = new HashSet<string>(StringComparer.Ordinal);
        var series = new HashSet<string>(StringComparer.Ordinal);
        string? currentFamily = null;
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            int lineNumber = i + 1;
            Match match;
            if ((match = HelpLine().Match(line)).Success)
            {
                string family = match.Groups[1].Value;
                Require(!result.Help.ContainsKey(family) && !closedFamilies.Contains(family), lineNumber, $"second HELP for {family}");
                Require(!result.Types.ContainsKey(family), lineNumber, $"HELP after TYPE for {family}");
                result.Help[family] = Unescape(match.Groups[2].Value);
                SwitchFamily(family);
            }
            else if ((match = TypeLine().Match(line)).Success)
            {
                string family = match.Groups[1].Value;
                Require(!result.Types.ContainsKey(family), lineNumber, $"second TYPE for {family}");
                Require(currentFamily == family && !result.Samples.Exists(s => s.Family == family), lineNumber, $"TYPE for {family} not right after its HELP");
                result.Types[family] = match.Groups[2].Value;
            }
            else if ((match = SampleLine().Match(line)).Success)
            {
                string name = match.Groups[1].Value;
                string family = FamilyOf(result, name);
                Require(result.Types.ContainsKey(family), lineNumber, $"sample {name} has no TYPE");
                Require(family == currentFamily, lineNumber, $"sample {name} outside its family block");
                var labels = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (Match pair in LabelPair().Matches(match.Groups[2].Value))
                {
                    Require(labels.TryAdd(pair.Groups[1].Value, Unescape(pair.Groups[2].Value)), lineNumber, $"label {pair.Groups[1].Value} repeated");
                }
                string key = name + "{" + string.Join(",", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "=" + l.Value)) + "}";
                Require(series.Add(key), lineNumber, $"series {key} repeated");
                result.Samples.Add(new Sample(family, name, labels, ParseValue(match.Groups[5].Value), match.Groups[2].Value));
            }
            else
            {
                throw new FormatException($"Line {lineNumber} is not valid exposition text: '{line}'");
            }
        }
        result.CheckHistograms();
        return result;

        void SwitchFamily(string family)
        {
            if (currentFamily is not null)
            {
                closedFamilies.Add(currentFamily);
            }
            currentFamily = family;
        }
    }

    public IEnumerable<Sample> Family(string family) => Samples.Where(s => s.Family == family);

    public double Single(string name, params (string Name, string Value)[] labels) =>
        Samples.Single(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Name, out string? v) && v == l.Value)).Value;

    private static string FamilyOf(PrometheusExposition result, string name)
    {
        foreach (string suffix in (string[])["_bucket", "_sum", "_count"])
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal)
                && result.Types.TryGetValue(name[..^suffix.Length], out string? type) && type == "histogram")
            {
                return name[..^suffix.Length];
            }
        }
        return name;
    }

    private void CheckHistograms()
    {
        foreach (string family in Types.Where(t => t.Value == "histogram").Select(t => t.Key))
        {
            var bySeries = Samples.Where(s => s.Name == family + "_bucket")
                .GroupBy(s => string.Join(",", s.Labels.Where(l => l.Key != "le").OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "=" + l.Value)));
            foreach (var series in bySeries)
            {
                double previousBound = double.NegativeInfinity;
                double previousCount = 0;
                foreach (Sample bucket in series)
                {
                    double bound = ParseValue(bucket.Label("le"));
                    Require(bound > previousBound, 0, $"{family} buckets not in increasing le order");
                    Require(bucket.Value >= previousCount, 0, $"{family} buckets not cumulative");
                    previousBound = bound;
                    previousCount = bucket.Value;
                }
                Require(double.IsPositiveInfinity(previousBound), 0, $"{family}{{{series.Key}}} has no +Inf bucket");
                Sample count = Samples.Single(s => s.Name == family + "_count" && SameLabels(s, series.First()));
                Require(count.Value == previousCount, 0, $"{family} _count differs from the +Inf bucket");
                Require(Samples.Exists(s => s.Name == family + "_sum" && SameLabels(s, series.First())), 0, $"{family} has no _sum");
            }
        }
    }

    private static bool SameLabels(Sample sample, Sample bucket) =>
        sample.Labels.Count == bucket.Labels.Count - 1
        && sample.Labels.All(l => bucket.Labels.TryGetValue(l.Key, out string? v) && v == l.Value);

    private static double ParseValue(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    private static string Unescape(string text)
    {
        var builder = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
                builder.Append(text[i] == 'n' ? '\n' : text[i]);
            }
            else
            {
                builder.Append(text[i]);
            }
        }
        return builder.ToString();
    }

    private static void Require(bool condition, int line, string message)
    {
        if (!condition)
        {
            throw new FormatException(line > 0 ? $"Line {line}: {message}" : message);
        }
    }
}
