namespace EdgeServer.Policy.Waf.Evaluation;

/// <summary>What a <see cref="PlanStep"/> does with its rule.</summary>
internal enum PlanOp : byte
{
    /// <summary>Run the rule's statement.</summary>
    Run,
    /// <summary>The shape's missing part decides a match: the rule acts without running.</summary>
    Matched,
    /// <summary>The first rule of a screened run: when the screen finds none of the run's strings, go to <see cref="PlanStep.Next"/>.</summary>
    Screen,
    /// <summary>Gated on a part the shape does not cover: ask whether it is missing, then answer or run.</summary>
    Lazy,
    /// <summary>Decided "no match" by the shape, but it has an expiry date: once expired, it still counts as skipped.</summary>
    ExpiryOnly,
}

/// <param name="Rule">The index of the rule in the ACL.</param>
/// <param name="Part">For <see cref="PlanOp.Lazy"/>, and for a <see cref="PlanOp.Screen"/> whose run a part the shape does not cover decides: that part's index; else -1.</param>
/// <param name="Answer">For <see cref="PlanOp.Lazy"/>: the answer when the part is missing.</param>
/// <param name="Next">For <see cref="PlanOp.Screen"/>: the step after the run's rules.</param>
/// <param name="RunEnd">For <see cref="PlanOp.Screen"/>: one past the run's last rule.</param>
/// <param name="RunExpires">For <see cref="PlanOp.Screen"/>: some rule of the run has an expiry date.</param>
/// <param name="FieldScreen">For <see cref="PlanOp.Run"/>: the <see cref="FieldScreens"/> index of the rule's field screen, or -1.</param>
internal readonly record struct PlanStep(int Rule, PlanOp Op, sbyte Part = -1, bool Answer = false, int Next = 0, int RunEnd = 0, bool RunExpires = false,
    sbyte FieldScreen = -1);

/// <summary>
/// The rules an evaluation walks, per request shape. A shape is which of the parts the ACL's rules are gated on
/// (<see cref="AbsenceGates"/>) the request lacks: wrk's GET lacks the query, the body, Cookie and User-Agent, a
/// browser's GET only the body. For one shape, every gated rule's fate is known before the request is read (run
/// it, or it matches, or it cannot), so the plan lists only the rules that must run or act: for wrk's GET, 14
/// steps of the 50-rule benchmark ACL run (the dozen path probes are one screen step unless the path holds one). A walk over all the rules asking each whether it is decided cost a
/// mispredicted branch or a cache miss per rule once the proxy's other work had evicted the loop's state; a
/// plan is read front to back. Plans are built on first use of a shape (at most 2^<see cref="MaxShapeParts"/>
/// per ACL) and kept; rules gated on parts past those are asked one by one, as before.
/// </summary>
internal sealed class ShapePlans
{
    /// <summary>Parts a shape covers: 256 plans at most.</summary>
    public const int MaxShapeParts = 8;

    private readonly WafRule[] _rules;
    private readonly ByteMatchRun?[] _runs;
    private readonly AbsenceGates _gates;
    private readonly FieldScreens _screens;
    private readonly bool _expiring;
    private readonly PlanStep[]?[] _plans;

    public ShapePlans(WafRule[] rules, ByteMatchRun?[] runs, AbsenceGates gates, FieldScreens screens)
    {
        _screens = screens;
        _rules = rules;
        _runs = runs;
        _gates = gates;
        _expiring = rules.Any(r => r.Metadata.ExpiresAt is not null);
        ShapeParts = Math.Min(gates.Parts.Length, MaxShapeParts);
        _plans = new PlanStep[]?[1 << ShapeParts];
    }

    /// <summary>How many of <see cref="AbsenceGates.Parts"/>, from the first, a shape has a bit for.</summary>
    public int ShapeParts { get; }

    /// <param name="shape">Bit i set: the request lacks part i.</param>
    public PlanStep[] For(uint shape) => Volatile.Read(ref _plans[shape]) ?? Build(shape);

    private PlanStep[] Build(uint shape)
    {
        var steps = new List<PlanStep>();
        for (var i = 0; i < _rules.Length; i++)
        {
            if (_runs[i] is { } run)
            {
                AddRun(steps, run, shape);
                i = run.End - 1;
                continue;
            }
            AddRule(steps, i, shape);
        }
        // Two threads may build the same plan at once: either result is the same, and each is complete when stored.
        var plan = steps.ToArray();
        Volatile.Write(ref _plans[shape], plan);
        return plan;
    }

    private void AddRun(List<PlanStep> steps, ByteMatchRun run, uint shape)
    {
        var part = RunPart(run);
        if (part >= 0 && part < ShapeParts && Lacks(shape, part))
        {
            for (var j = run.Start; j < run.End; j++) AddExpiryOnly(steps, j);
            return;
        }
        var screen = steps.Count;
        steps.Add(default);
        for (var j = run.Start; j < run.End; j++) AddRule(steps, j, shape);
        steps[screen] = new PlanStep(run.Start, PlanOp.Screen, Part: part >= ShapeParts ? (sbyte)part : (sbyte)-1,
            Next: steps.Count, RunEnd: run.End, RunExpires: run.AnyExpires);
    }

    private void AddRule(List<PlanStep> steps, int rule, uint shape)
    {
        var part = _gates.PartOf[rule];
        if (part < 0 || (part < ShapeParts && !Lacks(shape, part)))
        {
            steps.Add(new PlanStep(rule, PlanOp.Run, FieldScreen: _screens.ScreenOf[rule]));
        }
        else if (part >= ShapeParts)
        {
            steps.Add(new PlanStep(rule, PlanOp.Lazy, part, _gates.AnswerOf[rule]));
        }
        else if (_gates.AnswerOf[rule])
        {
            steps.Add(new PlanStep(rule, PlanOp.Matched));
        }
        else
        {
            AddExpiryOnly(steps, rule);
        }
    }

    private void AddExpiryOnly(List<PlanStep> steps, int rule)
    {
        if (_expiring && _rules[rule].Metadata.ExpiresAt is not null) steps.Add(new PlanStep(rule, PlanOp.ExpiryOnly));
    }

    /// <summary>The part whose absence decides every rule of the run "no match", or -1.</summary>
    private int RunPart(ByteMatchRun run)
    {
        var part = _gates.PartOf[run.Start];
        if (part < 0) return -1;
        for (var j = run.Start; j < run.End; j++)
        {
            if (_gates.PartOf[j] != part || _gates.AnswerOf[j]) return -1;
        }
        return part;
    }

    private static bool Lacks(uint shape, int part) => (shape & (1u << part)) != 0;
}
