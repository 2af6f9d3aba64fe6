using EdgeServer.Policy.Waf.Evaluation;

namespace EdgeServer.Policy.Waf.Statements;

/// <summary>
/// A label added by an earlier rule (or by GeoMatch) is present: LABEL scope names one label, NAMESPACE
/// scope any label under a prefix ending in ':'. Labels are interned ids, so the test is an integer scan.
/// </summary>
public sealed class LabelMatchStatement(string key, bool isNamespace, int[] labelIds) : WafStatement
{
    public override bool Matches(ref WafContext context)
    {
        foreach (var id in labelIds)
        {
            if (context.HasLabel(id)) return true;
        }
        return false;
    }

    /// <summary>Labels come from rules evaluated on the request; a connection ACL has none to match.</summary>
    public override bool IsConnectionLevel => false;
    public override int Cost => 1;
    public override string Describe() => $"Label {(isNamespace ? "namespace" : "")} {key}".Replace("  ", " ", StringComparison.Ordinal);
}
