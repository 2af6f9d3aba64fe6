using System.Buffers;
using EdgeServer.Policy.Waf.Evaluation;
using EdgeServer.Policy.Waf.Fields;

namespace EdgeServer.Policy.Waf;

/// <summary>
/// A compiled web ACL: rules in priority order, the default action, and the label table. Immutable; a
/// reload compiles a new one and swaps it in. Evaluation allocates nothing: its buffers are rented for
/// the call (an idle connection holds none) and every string it returns was built at compile time.
/// </summary>
public sealed class WebAcl(string name, string source, WafAction defaultAction, WafRule[] rules, LabelTable labels, int bodyInspectionBytes)
{
    public string Name { get; } = name;
    /// <summary>The rule file it was compiled from.</summary>
    public string Source { get; } = source;
    public WafAction DefaultAction { get; } = defaultAction;
    public IReadOnlyList<WafRule> Rules { get; } = rules;
    public LabelTable Labels { get; } = labels;
    /// <summary>How much of a body the proxy reads ahead for Body fields; 0 when no rule inspects bodies (the compiler decides).</summary>
    public int BodyInspectionBytes { get; } = bodyInspectionBytes;

    private readonly WafStopTally _tally = Attach(rules);

    private static WafStopTally Attach(WafRule[] rules)
    {
        var tally = new WafStopTally(rules.Length);
        for (var i = 0; i < rules.Length; i++) rules[i].Counters.Attach(tally, i);
        AssignCacheSlots(rules);
        return tally;
    }

    /// <summary>
    /// One cache slot per transformation chain that two or more inspections apply: only those can reuse a
    /// result. A chain of no transformation only widens bytes, cheaper than caching it.
    /// </summary>
    private static void AssignCacheSlots(WafRule[] rules)
    {
        var groups = rules.SelectMany(r => r.Statement.Inspections)
            .Where(i => i.Transformations.Any(t => t != Transforms.TextTransformationType.None))
            .GroupBy(i => string.Join(">", i.Transformations))
            .Where(g => g.Count() > 1);
        var slot = 0;
        foreach (var group in groups)
        {
            foreach (var inspection in group) inspection.CacheSlot = slot;
            slot++;
        }
    }

    /// <summary>Every rule can be decided from the peer address alone (see <see cref="Statements.WafStatement.IsConnectionLevel"/>).</summary>
    public bool IsConnectionLevel => rules.All(r => r.Statement.IsConnectionLevel);

    public WafVerdict Evaluate(in WafRequest request, ICountryResolver? countries, DateTimeOffset now) =>
        Evaluate(request, countries, now, default);

    /// <param name="matched">When not empty (one slot per rule), records which rules matched, for shadow comparisons.</param>
    public WafVerdict Evaluate(in WafRequest request, ICountryResolver? countries, DateTimeOffset now, Span<bool> matched)
    {
        var text = ArrayPool<char>.Shared.Rent(Math.Max(FieldToMatch.MaxInspectedChars, BodyInspectionBytes));
        var labelIds = ArrayPool<int>.Shared.Rent(64);
        var context = new WafContext(request, countries, now, text, labelIds);
        try
        {
            for (var i = 0; i < rules.Length; i++)
            {
                var rule = rules[i];
                if (rule.IsExpired(now))
                {
                    _tally.Skipped(i);
                    continue;
                }
                if (!rule.Statement.Matches(ref context)) continue;
                rule.Counters.CountMatch();
                if (!matched.IsEmpty) matched[i] = true;
                foreach (var id in rule.LabelIds) context.AddLabel(id);
                if (rule.Action.Kind == WafActionKind.Count) continue;
                _tally.Stopped(i);
                return new WafVerdict(rule.Action.Kind, rule, rule.Action.Response, context.KnownCountry);
            }
            _tally.Stopped(rules.Length);
            return new WafVerdict(DefaultAction.Kind, null, DefaultAction.Response, context.KnownCountry);
        }
        finally
        {
            context.Cache.Release();
            ArrayPool<int>.Shared.Return(labelIds);
            ArrayPool<char>.Shared.Return(text);
        }
    }
}
