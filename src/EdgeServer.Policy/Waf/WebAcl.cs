using EdgeServer.Policy.Waf.Evaluation;
using EdgeServer.Policy.Waf.Fields;

namespace EdgeServer.Policy.Waf;

/// <summary>
/// A compiled web ACL: rules in priority order, the default action, and the label table. Immutable; a
/// reload compiles a new one and swaps it in. Evaluation allocates nothing: its buffers are the thread's
/// scratch (an idle connection holds none) and every string it returns was built at compile time.
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
    private readonly (ByteMatchRun?[] Runs, AbsenceGates Gates, FieldScreens Screens, ShapePlans Shapes) _plan = Plan(rules);
    private readonly int _textChars = Math.Max(FieldToMatch.MaxInspectedChars, bodyInspectionBytes);

    /// <summary>Some rule has Metadata.ExpiresAt: only then does <see cref="Evaluate(in WafRequest, ICountryResolver?, DateTimeOffset, Span{bool})"/> look at its time.</summary>
    public bool HasExpiringRules { get; } = rules.Any(r => r.Metadata.ExpiresAt is not null);

    private static WafStopTally Attach(WafRule[] rules)
    {
        var tally = new WafStopTally(rules.Length);
        for (var i = 0; i < rules.Length; i++) rules[i].Counters.Attach(tally, i);
        return tally;
    }

    /// <summary>The shortcuts: screened runs, rules decided by a missing part, field screens, and the plans per request shape that use them.</summary>
    private static (ByteMatchRun?[], AbsenceGates, FieldScreens, ShapePlans) Plan(WafRule[] rules)
    {
        var runs = ByteMatchRun.Find(rules);
        AssignCacheSlots(rules, runs.OfType<ByteMatchRun>().Select(r => r.Screen));
        var gates = AbsenceGates.Find(rules);
        var screens = FieldScreens.Find(rules, runs);
        return (runs, gates, screens, new ShapePlans(rules, runs, gates, screens));
    }

    /// <summary>
    /// One cache slot per transformation chain that two or more inspections apply: only those can reuse a
    /// result. A chain of no transformation only widens bytes, cheaper than caching it.
    /// </summary>
    private static void AssignCacheSlots(WafRule[] rules, IEnumerable<TextInspection> screens)
    {
        var groups = screens.Concat(rules.SelectMany(r => r.Statement.Inspections))
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

    /// <summary>
    /// The runs of consecutive ByteMatch rules one multi-pattern search screens (indexes into <see cref="Rules"/>,
    /// end exclusive; see <see cref="ByteMatchRun"/>), for `edge waf explain`.
    /// </summary>
    public IReadOnlyList<(int Start, int End)> ScreenedRuns => [.. _plan.Runs.OfType<ByteMatchRun>().Select(r => (r.Start, r.End))];

    /// <summary>Per rule, the missing part of a request that decides it before it runs, and its answer then (see <see cref="AbsenceGates"/>).</summary>
    public IReadOnlyList<(OptionalPart Part, bool Answer)?> AbsenceDecisions =>
        [.. _plan.Gates.PartOf.Select((p, i) => p < 0 ? ((OptionalPart, bool)?)null : (_plan.Gates.Parts[p], _plan.Gates.AnswerOf[i]))];

    /// <summary>
    /// The field screens (see <see cref="FieldScreens"/>): the field, the raw bytes one of which a value must hold for
    /// any of the rules (indexes into <see cref="Rules"/>) to match, for `edge waf explain`.
    /// </summary>
    public IReadOnlyList<(string Field, string Bytes, int[] Rules)> FieldScreened =>
        [.. _plan.Screens.Fields.Select((f, s) => (f.Describe(), Printable(_plan.Screens.Bytes[s]), _plan.Screens.RulesOf(s).ToArray()))];

    /// <summary>The raw bytes one of which a value must hold for the run starting at <paramref name="start"/> to be searched at all; null when it has no raw screen.</summary>
    public string? RunRawScreen(int start) => _plan.Runs[start]?.Screen.ScreenBytes is { } bytes ? Printable(bytes) : null;

    private static string Printable(byte[] bytes) =>
        string.Concat(bytes.Select(b => b is > 0x20 and < 0x7F ? ((char)b).ToString() : $"\\x{b:x2}"));

    /// <summary>Every rule can be decided from the peer address alone (see <see cref="Statements.WafStatement.IsConnectionLevel"/>).</summary>
    public bool IsConnectionLevel => rules.All(r => r.Statement.IsConnectionLevel);

    public WafVerdict Evaluate(in WafRequest request, ICountryResolver? countries, DateTimeOffset now) =>
        Evaluate(request, countries, now, default);

    /// <param name="now">Decides which rules have expired; not read when none has an expiry date (<see cref="HasExpiringRules"/>).</param>
    /// <param name="matched">When not empty (one slot per rule), records which rules matched, for shadow comparisons.</param>
    public WafVerdict Evaluate(in WafRequest request, ICountryResolver? countries, DateTimeOffset now, Span<bool> matched) =>
        Evaluate(request, countries, now, matched, shortcuts: true);

    /// <summary>
    /// Every reached rule's statement run in full: no screened runs, no decisions from missing parts. What the
    /// shortcuts must agree with; tests compare the two.
    /// </summary>
    internal WafVerdict EvaluateInFull(in WafRequest request, ICountryResolver? countries, DateTimeOffset now, Span<bool> matched) =>
        Evaluate(request, countries, now, matched, shortcuts: false);

    private WafVerdict Evaluate(in WafRequest request, ICountryResolver? countries, DateTimeOffset now, Span<bool> matched, bool shortcuts)
    {
        var scratch = WafScratch.Take(_textChars);
        var context = new WafContext(request, countries, now, scratch, shortcuts);
        try
        {
            return shortcuts ? Walk(ref context, _plan.Shapes.For(Shape(ref context)), now, matched) : WalkAll(ref context, now, matched);
        }
        finally
        {
            WafScratch.Give(scratch);
        }
    }

    /// <summary>Which of the parts a shape covers the request lacks (see <see cref="ShapePlans"/>).</summary>
    private uint Shape(ref WafContext context)
    {
        var parts = _plan.Gates.Parts;
        var shape = 0u;
        for (var p = 0; p < _plan.Shapes.ShapeParts; p++)
        {
            if (context.IsAbsent(p, parts[p])) shape |= 1u << p;
        }
        return shape;
    }

    private WafVerdict Walk(ref WafContext context, PlanStep[] plan, DateTimeOffset now, Span<bool> matched)
    {
        var parts = _plan.Gates.Parts;
        for (var k = 0; k < plan.Length; k++)
        {
            ref readonly var step = ref plan[k];
            var i = step.Rule;
            switch (step.Op)
            {
                case PlanOp.Screen:
                    if ((step.Part >= 0 && context.IsAbsent(step.Part, parts[step.Part])) || !_plan.Runs[i]!.Screen.Matches(ref context))
                    {
                        if (step.RunExpires) TallyExpired(i, step.RunEnd, now);
                        k = step.Next - 1;
                    }
                    continue;
                case PlanOp.ExpiryOnly:
                    if (rules[i].IsExpired(now)) _tally.Skipped(i);
                    continue;
            }
            if (HasExpiringRules && rules[i].IsExpired(now))
            {
                _tally.Skipped(i);
                continue;
            }
            var matches = step.Op switch
            {
                PlanOp.Matched => true,
                PlanOp.Lazy when context.IsAbsent(step.Part, parts[step.Part]) => step.Answer,
                PlanOp.Run when step.FieldScreen >= 0 && context.ScreenClears(step.FieldScreen, _plan.Screens) => false,
                _ => rules[i].Statement.Matches(ref context),
            };
            if (matches && Act(ref context, i, matched, out var verdict)) return verdict;
        }
        return Default(context);
    }

    /// <summary>Every rule in order, each statement run in full.</summary>
    private WafVerdict WalkAll(ref WafContext context, DateTimeOffset now, Span<bool> matched)
    {
        for (var i = 0; i < rules.Length; i++)
        {
            if (HasExpiringRules && rules[i].IsExpired(now))
            {
                _tally.Skipped(i);
                continue;
            }
            if (rules[i].Statement.Matches(ref context) && Act(ref context, i, matched, out var verdict)) return verdict;
        }
        return Default(context);
    }

    /// <summary>A rule matched: counts, labels, and the verdict when its action ends the evaluation (anything but Count).</summary>
    private bool Act(ref WafContext context, int i, Span<bool> matched, out WafVerdict verdict)
    {
        var rule = rules[i];
        rule.Counters.CountMatch();
        if (!matched.IsEmpty) matched[i] = true;
        foreach (var id in rule.LabelIds) context.AddLabel(id);
        if (rule.Action.Kind == WafActionKind.Count)
        {
            verdict = default;
            return false;
        }
        _tally.Stopped(i);
        verdict = new WafVerdict(rule.Action.Kind, rule, rule.Action.Response, context.KnownCountry);
        return true;
    }

    private WafVerdict Default(in WafContext context)
    {
        _tally.Stopped(rules.Length);
        return new WafVerdict(DefaultAction.Kind, null, DefaultAction.Response, context.KnownCountry);
    }

    /// <summary>A run stepped over was reached: its expired rules count as skipped, as they would one by one.</summary>
    private void TallyExpired(int start, int end, DateTimeOffset now)
    {
        for (var j = start; j < end; j++)
        {
            if (rules[j].IsExpired(now)) _tally.Skipped(j);
        }
    }
}
