using System.Text;
using EdgeServer.Policy.Waf;
using EdgeServer.Policy.Waf.Evaluation;
using static EdgeServer.Tests.Waf.WafTestRequests;

namespace EdgeServer.Tests.Waf;

/// <summary>
/// Plans per request shape (ShapePlans) walk the rules a full evaluation would decide alike: more gated parts than a
/// shape covers (the rest asked one by one), expired rules among the ones a shape leaves out, screened runs gated on
/// a header, Count and Block actions, labels from rules that matched without running.
/// </summary>
public sealed class WafShapePlanTests(WafTestFiles files) : IClassFixture<WafTestFiles>
{
    private const int Headers = 12; // more than ShapePlans.MaxShapeParts

    [Fact]
    public void Random_requests_get_the_same_verdicts_matches_and_counts_from_the_plans_as_in_full()
    {
        var rules = RuleFile();
        var planned = files.CompileAcl(rules);
        var full = files.CompileAcl(rules);
        var names = Enumerable.Range(0, Headers).Select(k => $"h{k}").ToArray();
        string[] values = ["", "x", "ya", "YB", "block", "zz"];
        var random = new Random(5);
        Span<bool> a = stackalloc bool[planned.Rules.Count], b = stackalloc bool[full.Rules.Count];
        var blocked = 0;
        for (var n = 0; n < 3000; n++)
        {
            var headers = new StringBuilder();
            foreach (var name in names.Where(_ => random.Next(2) == 0)) headers.Append($"{name}: {values[random.Next(values.Length)]}\r\n");
            var request = Get("/", headers.ToString());
            a.Clear();
            b.Clear();
            var verdict = Evaluate(planned, request, a);
            var expected = full.EvaluateInFull(new WafRequest(Parse(request), [203, 0, 113, 7]), null, DateTimeOffset.UtcNow, b);
            Assert.True(verdict.Action == expected.Action && verdict.Rule?.Name == expected.Rule?.Name && a.SequenceEqual(b),
                $"{headers}: {verdict.Rule?.Name} vs {expected.Rule?.Name}");
            if (verdict.Blocked) blocked++;
        }
        Assert.InRange(blocked, 300, 2700);
        Assert.Equal(full.Rules.Select(r => r.Counters.Matches), planned.Rules.Select(r => r.Counters.Matches));
        Assert.Equal(full.Rules.Select(r => r.Counters.Evaluations), planned.Rules.Select(r => r.Counters.Evaluations));
        Assert.Contains(planned.Rules, r => r.Counters.Evaluations == 0 && r.Metadata.ExpiresAt is not null);
    }

    /// <summary>Per header: a ByteMatch (some expired, one blocking), a screened run of two, and a NOT(size) that matches when it is missing.</summary>
    private static string RuleFile()
    {
        var yaml = new StringBuilder();
        var priority = 0;
        const string expired = "Metadata: { Owner: sec, ExpiresAt: \"2020-01-01T00:00:00Z\" }, ";
        for (var k = 0; k < Headers; k++)
        {
            var field = $"FieldToMatch: {{ SingleHeader: {{ Name: h{k} }} }}";
            var action = k == 5 ? "Block" : "Count";
            var search = k == 5 ? "block" : "x";
            yaml.AppendLine($"  - {{ Name: has-h{k}, Priority: {++priority}, Action: {{ {action}: {{}} }}, {(k % 3 == 0 ? expired : "")}Statement: {{ ByteMatchStatement: {{ SearchString: {search}, PositionalConstraint: CONTAINS, {field} }} }} }}");
            foreach (var letter in "ab")
            {
                yaml.AppendLine($"  - {{ Name: run-h{k}-{letter}, Priority: {++priority}, Action: {{ Count: {{}} }}, {(k % 4 == 1 && letter == 'a' ? expired : "")}Statement: {{ ByteMatchStatement: {{ SearchString: y{letter}, PositionalConstraint: EXACTLY, {field}, TextTransformations: [{{ Priority: 0, Type: LOWERCASE }}] }} }} }}");
            }
            yaml.AppendLine($"  - {{ Name: no-h{k}, Priority: {++priority}, Action: {{ Count: {{}} }}, RuleLabels: [{{ Name: \"miss:h{k}\" }}], Statement: {{ NotStatement: {{ Statement: {{ SizeConstraintStatement: {{ {field}, ComparisonOperator: GT, Size: 0, TextTransformations: [{{ Priority: 0, Type: NONE }}] }} }} }} }} }}");
        }
        yaml.AppendLine($"  - {{ Name: missing-two, Priority: {++priority}, Action: {{ Block: {{}} }}, Statement: {{ AndStatement: {{ Statements: [{{ LabelMatchStatement: {{ Scope: LABEL, Key: \"miss:h2\" }} }}, {{ LabelMatchStatement: {{ Scope: LABEL, Key: \"miss:h10\" }} }}] }} }} }}");
        return yaml.ToString();
    }
}
