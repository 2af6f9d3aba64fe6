using EdgeServer.Policy.Waf.Evaluation;
using EdgeServer.Policy.Waf.Fields;

namespace EdgeServer.Policy.Waf.Statements;

/// <summary>ByteMatch, RegexMatch, SqliMatch, XssMatch: a predicate over a transformed field.</summary>
public sealed class TextMatchStatement(TextInspection inspection) : WafStatement
{
    public TextInspection Inspection { get; } = inspection;
    public override bool Matches(ref WafContext context) => Inspection.Matches(ref context);
    public override bool IsConnectionLevel => false;
    public override int Cost => Inspection.Cost;
    public override string Describe() => Inspection.Describe();
    public override IEnumerable<TextInspection> Inspections => [Inspection];
    internal override bool? AnswerWhenAbsent(OptionalPart part) => part.Equals(Inspection.Field.Part) ? Inspection.Field.AnswerWhenAbsent(Inspection) : null;
}

/// <summary>
/// SizeConstraint. A body's size is its declared Content-Length when no transformation applies, so a large
/// upload is judged by its real size and not by the inspected prefix.
/// </summary>
public sealed class SizeConstraintStatement(TextInspection inspection, SizePredicate size) : WafStatement
{
    public override bool Matches(ref WafContext context)
    {
        if (inspection.Field is BodyField && inspection.Transformations.Count == 0 && context.Request.Head is { ContentLength: >= 0 } head)
            return size.Compare(head.ContentLength);
        return inspection.Matches(ref context);
    }

    public override bool IsConnectionLevel => false;
    public override int Cost => inspection.Cost;
    public override string Describe() => inspection.Describe();
    public override IEnumerable<TextInspection> Inspections => [inspection];

    // An absent body has no Content-Length above 0, so the declared-length shortcut compares 0: the empty text's size.
    internal override bool? AnswerWhenAbsent(OptionalPart part) => part.Equals(inspection.Field.Part) ? inspection.Field.AnswerWhenAbsent(inspection) : null;
}
