using System.Buffers;
using EdgeServer.Policy.Waf.Fields;
using EdgeServer.Policy.Waf.Statements;

namespace EdgeServer.Policy.Waf.Evaluation;

/// <summary>
/// Consecutive rules that are each one ByteMatch on the same field after the same transformations: a managed
/// rule set's ten bad-bot User-Agent words, its dozen sensitive-path probes. Every positional constraint needs
/// the search string somewhere in the value, so one multi-pattern search (<see cref="SearchValues{T}"/>) over
/// the field tells that none of the run's rules can match, and the ACL steps over all of them at once. When the
/// search finds something, the rules run one by one as usual (on the transformed text it left in the cache).
/// Only runs of consecutive rules are screened: rules decide in priority order, so none is moved.
/// </summary>
internal sealed class ByteMatchRun(int start, int end, TextInspection screen, bool anyExpires)
{
    public int Start { get; } = start;
    /// <summary>One past the run's last rule.</summary>
    public int End { get; } = end;
    /// <summary>The run's field and transformations, with a predicate true when any of the search strings occurs.</summary>
    public TextInspection Screen { get; } = screen;
    /// <summary>Some rule of the run has an expiry date: stepping over the run must still count it as skipped once expired.</summary>
    public bool AnyExpires { get; } = anyExpires;

    /// <summary>The runs of two or more rules in <paramref name="rules"/>, in order; one array slot per rule, set where a run starts.</summary>
    public static ByteMatchRun?[] Find(WafRule[] rules)
    {
        var starts = new ByteMatchRun?[rules.Length];
        var i = 0;
        while (i < rules.Length)
        {
            if (Key(rules[i]) is not { } key)
            {
                i++;
                continue;
            }
            var end = i + 1;
            while (end < rules.Length && Key(rules[end]) == key) end++;
            if (end - i >= 2) starts[i] = Build(rules, i, end);
            i = end;
        }
        return starts;
    }

    private static ByteMatchRun Build(WafRule[] rules, int start, int end)
    {
        var first = Inspection(rules[start])!;
        var patterns = rules[start..end].Select(r => ((ByteMatchPredicate)Inspection(r)!.Predicate).Search).Distinct().ToArray();
        var screen = new TextInspection(first.Field, [.. first.Transformations], new AnyOfPredicate(patterns));
        return new ByteMatchRun(start, end, screen, rules[start..end].Any(r => r.Metadata.ExpiresAt is not null));
    }

    private static TextInspection? Inspection(WafRule rule) =>
        rule.Statement is TextMatchStatement { Inspection: { Predicate: ByteMatchPredicate { Search.Length: > 0 } } inspection } ? inspection : null;

    /// <summary>What rules of one run share: the field (with everything that decides its values) and the transformation chain.</summary>
    private static string? Key(WafRule rule) =>
        Inspection(rule) is { } inspection ? inspection.Field.Identity + "|" + string.Join(">", inspection.Transformations) : null;

    /// <summary>True when any of the strings occurs in the text, ordinally (ByteMatch is case-sensitive after the transformations).</summary>
    private sealed class AnyOfPredicate(string[] patterns) : TextPredicate
    {
        private readonly SearchValues<string> _patterns = SearchValues.Create(patterns, StringComparison.Ordinal);

        public override bool Test(ReadOnlySpan<char> text) => text.ContainsAny(_patterns);
        public override int Cost => 1;
        public override string Describe() => $"any of {patterns.Length} ByteMatch strings";
        internal override IReadOnlyList<string> NeededChars => patterns;
    }
}
