using EdgeServer.Policy.Waf.Evaluation;

namespace EdgeServer.Policy.Waf.Fields;

/// <summary>
/// A part of the request a text statement inspects. Multi-valued fields (query arguments, headers, cookies)
/// match when any value does.
/// </summary>
public abstract class FieldToMatch
{
    /// <summary>Longest value inspected; longer ones follow the field's oversize handling.</summary>
    public const int MaxInspectedChars = 8 * 1024;

    public abstract bool AnyValueMatches(ref WafContext context, TextInspection inspection);

    /// <summary>1 for one short value, more for fields with many or long values.</summary>
    public abstract int Cost { get; }
    public abstract string Describe();

    /// <summary>Everything that decides which values the field yields: two fields with the same identity match alike.</summary>
    internal virtual string Identity => Describe();

    /// <summary>Applies oversize handling to one value: null means inspect it (its first part), else the answer.</summary>
    protected static bool? Oversize(int length, OversizeHandling handling) =>
        length <= MaxInspectedChars || handling == OversizeHandling.Continue ? null : handling == OversizeHandling.Match;
}
