namespace EdgeServer.Policy.Waf.Evaluation;

/// <summary>
/// An ACL's decision for one request. <see cref="Rule"/> is the rule that decided (null: the default
/// action). Count rules that matched are counted on their rules, not returned.
/// </summary>
public readonly record struct WafVerdict(WafActionKind Action, WafRule? Rule, BlockResponse? Response, ushort? Country)
{
    public bool Blocked => Action == WafActionKind.Block;
}
