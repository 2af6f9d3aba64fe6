using EdgeServer.Policy.Waf.Evaluation;
using EdgeServer.Policy.Waf.Fields;

namespace EdgeServer.Policy.Waf.Statements;

/// <summary>All of its statements, cheapest first: the order does not change the result, only how soon a miss is known.</summary>
public sealed class AndStatement(WafStatement[] statements) : WafStatement
{
    private readonly WafStatement[] _statements = [.. statements.OrderBy(s => s.Cost)];

    public override bool Matches(ref WafContext context)
    {
        foreach (var statement in _statements)
        {
            if (!statement.Matches(ref context)) return false;
        }
        return true;
    }

    public override bool IsConnectionLevel => _statements.All(s => s.IsConnectionLevel);
    public override int Cost => _statements.Sum(s => s.Cost);
    public override string Describe() => "AND(" + string.Join(", ", _statements.Select(s => s.Describe())) + ")";
    public override IEnumerable<TextInspection> Inspections => _statements.SelectMany(s => s.Inspections);
    internal override bool HasSideEffects => _statements.Any(s => s.HasSideEffects);

    internal override bool? AnswerWhenAbsent(OptionalPart part)
    {
        var answers = _statements.Select(s => s.AnswerWhenAbsent(part)).ToList();
        return answers.Contains(false) ? false : answers.All(a => a == true) ? true : null;
    }
}

/// <summary>Any of its statements, cheapest first.</summary>
public sealed class OrStatement(WafStatement[] statements) : WafStatement
{
    private readonly WafStatement[] _statements = [.. statements.OrderBy(s => s.Cost)];

    public override bool Matches(ref WafContext context)
    {
        foreach (var statement in _statements)
        {
            if (statement.Matches(ref context)) return true;
        }
        return false;
    }

    public override bool IsConnectionLevel => _statements.All(s => s.IsConnectionLevel);
    public override int Cost => _statements.Sum(s => s.Cost);
    public override string Describe() => "OR(" + string.Join(", ", _statements.Select(s => s.Describe())) + ")";
    public override IEnumerable<TextInspection> Inspections => _statements.SelectMany(s => s.Inspections);
    internal override bool HasSideEffects => _statements.Any(s => s.HasSideEffects);

    internal override bool? AnswerWhenAbsent(OptionalPart part)
    {
        var answers = _statements.Select(s => s.AnswerWhenAbsent(part)).ToList();
        return answers.Contains(true) ? true : answers.All(a => a == false) ? false : null;
    }
}

public sealed class NotStatement(WafStatement statement) : WafStatement
{
    public override bool Matches(ref WafContext context) => !statement.Matches(ref context);
    public override bool IsConnectionLevel => statement.IsConnectionLevel;
    public override int Cost => statement.Cost;
    public override string Describe() => "NOT(" + statement.Describe() + ")";
    public override IEnumerable<TextInspection> Inspections => statement.Inspections;
    internal override bool HasSideEffects => statement.HasSideEffects;
    internal override bool? AnswerWhenAbsent(OptionalPart part) => !statement.AnswerWhenAbsent(part);
}
