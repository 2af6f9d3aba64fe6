using EdgeServer.Policy.Waf;

namespace EdgeServer.Waf;

/// <summary>
/// The running ACL of one rule file. Listeners and routes hold the slot, not the ACL, so a rule file
/// reload swaps one reference and every user of the file sees it at its next request.
/// </summary>
internal sealed class WafAclSlot(string path, WebAcl acl)
{
    private volatile WebAcl _acl = acl;

    public string Path { get; } = path;
    public WebAcl Acl => _acl;
    public void Swap(WebAcl acl) => _acl = acl;

    /// <summary>When this slot is a shadow: its rules paired with the active ACL's (recomputed when either is swapped).</summary>
    internal ShadowPairing? Pairing;

    /// <summary>The decision counters of the ACL last evaluated from this slot (see <see cref="WafMetrics.Decision"/>).</summary>
    internal WafDecisionCells? DecisionCells;
}

/// <summary>One ACL's decision counters by action, kept with the ACL they were looked up for: a reload swaps the ACL and they are looked up again.</summary>
internal sealed class WafDecisionCells(WebAcl acl, long[] byAction)
{
    public WebAcl Acl { get; } = acl;
    public long[] ByAction { get; } = byAction;
}

/// <summary>A route's or listener's request ACL and the shadow compared with it.</summary>
internal sealed record WafSet(WafAclSlot? Connection, WafAclSlot? Request, WafAclSlot? Shadow)
{
    public static WafSet None { get; } = new(null, null, null);
    public bool IsEmpty => Connection is null && Request is null;
}
