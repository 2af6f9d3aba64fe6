using EdgeServer.Policy.Waf.Fields;

namespace EdgeServer.Policy.Waf.Evaluation;

/// <summary>
/// Rules decided by a missing part of the request, before they run. A rule whose statement reads the query, the
/// body or one header, and whose answer is then fixed when that part is missing (<see
/// cref="Statements.WafStatement.AnswerWhenAbsent"/>: a SqliMatch on the query arguments cannot match without a
/// query; NOT(Size of User-Agent &gt; 0) always does without a User-Agent), is given that part and that answer. An
/// evaluation asks once per part whether the request lacks it (<see cref="WafContext.IsAbsent"/>) and then
/// answers such rules from two bytes, without touching their statements, fields or transformations. Rules with
/// side effects (GeoMatch labels, rate-based counts) are never decided this way: they run whenever reached.
/// </summary>
internal sealed class AbsenceGates
{
    /// <summary>One bit per part in an evaluation's presence cache.</summary>
    public const int MaxParts = 32;

    private AbsenceGates(OptionalPart[] parts, sbyte[] partOf, bool[] answerOf)
    {
        Parts = parts;
        PartOf = partOf;
        AnswerOf = answerOf;
    }

    /// <summary>The distinct parts rules are gated on; an evaluation caches whether each is missing.</summary>
    public OptionalPart[] Parts { get; }
    /// <summary>Per rule: the index of its part in <see cref="Parts"/>, or -1 when it always runs.</summary>
    public sbyte[] PartOf { get; }
    /// <summary>Per rule: whether it matches when its part is missing.</summary>
    public bool[] AnswerOf { get; }

    public static AbsenceGates Find(WafRule[] rules)
    {
        var parts = new List<OptionalPart>();
        var partOf = new sbyte[rules.Length];
        var answerOf = new bool[rules.Length];
        for (var i = 0; i < rules.Length; i++)
        {
            partOf[i] = -1;
            var statement = rules[i].Statement;
            if (statement.HasSideEffects) continue;
            foreach (var part in statement.Inspections.Select(x => x.Field.Part).OfType<OptionalPart>().Distinct())
            {
                if (statement.AnswerWhenAbsent(part) is not { } answer) continue;
                var index = parts.IndexOf(part);
                if (index < 0)
                {
                    if (parts.Count == MaxParts) continue;
                    parts.Add(part);
                    index = parts.Count - 1;
                }
                partOf[i] = (sbyte)index;
                answerOf[i] = answer;
                break;
            }
        }
        return new AbsenceGates([.. parts], partOf, answerOf);
    }
}
