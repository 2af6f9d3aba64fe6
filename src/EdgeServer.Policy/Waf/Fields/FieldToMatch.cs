using System.Buffers;
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

    /// <summary>The optional part of a request this field reads, if it reads one (see <see cref="OptionalPart"/>).</summary>
    internal virtual OptionalPart? Part => null;

    /// <summary>What <see cref="AnyValueMatches"/> answers when <see cref="Part"/> is absent from the request.</summary>
    internal virtual bool AnswerWhenAbsent(TextInspection inspection) => throw new InvalidOperationException($"{Describe()} reads no optional part");

    /// <summary>
    /// Whether some raw value this field yields (or text containing it) holds one of <paramref name="bytes"/>, or an
    /// oversize value answers "match" unread: false proves that no predicate needing one of those bytes (see
    /// <see cref="RawScreen"/>) matches any value. True when the field cannot tell.
    /// </summary>
    internal virtual bool AnyRawValueHolds(in WafRequest request, SearchValues<byte> bytes) => true;

    /// <summary>The field answers <see cref="AnyRawValueHolds"/> (it overrides it): a field screen on another field would only cost a look.</summary>
    internal virtual bool CanScreenRawValues => false;

    /// <summary>Applies oversize handling to one value: null means inspect it (its first part), else the answer.</summary>
    protected static bool? Oversize(int length, OversizeHandling handling) =>
        length <= MaxInspectedChars || handling == OversizeHandling.Continue ? null : handling == OversizeHandling.Match;
}
