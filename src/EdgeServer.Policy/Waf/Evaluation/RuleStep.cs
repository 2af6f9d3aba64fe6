namespace EdgeServer.Policy.Waf.Evaluation;

/// <summary>
/// What the evaluation loop needs to know of a rule before it touches the rule's objects: whether a missing part
/// decides it (<see cref="AbsenceGates"/>) and whether a screened run starts there (<see cref="ByteMatchRun"/>).
/// One array of these per ACL: the loop reads a few cache lines for all its rules, where reading the rule,
/// statement and field objects of each cost a cache miss apiece once the proxy's other work has evicted them.
/// </summary>
internal readonly struct RuleStep(sbyte part, bool answer, int runEnd, bool runGated, bool runExpires)
{
    /// <summary>The index of the part in <see cref="AbsenceGates.Parts"/> whose absence decides the rule, or -1.</summary>
    public readonly sbyte Part = part;
    /// <summary>The rule's answer when that part is missing.</summary>
    public readonly bool Answer = answer;
    /// <summary>At the first rule of a screened run: one past its last rule; else 0.</summary>
    public readonly int RunEnd = runEnd;
    /// <summary>Every rule of the run is decided "no match" by the part: when it is missing, the run is stepped over unscreened.</summary>
    public readonly bool RunGated = runGated;
    /// <summary>Some rule of the run has an expiry date, counted as skipped when the run is stepped over.</summary>
    public readonly bool RunExpires = runExpires;

    public static RuleStep[] For(WafRule[] rules, ByteMatchRun?[] runs, AbsenceGates gates)
    {
        var steps = new RuleStep[rules.Length];
        for (var i = 0; i < rules.Length; i++)
        {
            var run = runs[i];
            var gated = run is not null && gates.PartOf[i] >= 0 &&
                Enumerable.Range(run.Start, run.End - run.Start).All(j => gates.PartOf[j] == gates.PartOf[i] && !gates.AnswerOf[j]);
            steps[i] = new RuleStep(gates.PartOf[i], gates.AnswerOf[i], run?.End ?? 0, gated, run?.AnyExpires ?? false);
        }
        return steps;
    }
}
