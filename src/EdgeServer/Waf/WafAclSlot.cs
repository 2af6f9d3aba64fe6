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
}

/// <summary>A route's or listener's request ACL and the shadow compared with it.</summary>
internal sealed record WafSet(WafAclSlot? Connection, WafAclSlot? Request, WafAclSlot? Shadow)
{
    public static WafSet None { get; } = new(null, null, null);
    public bool IsEmpty => Connection is null && Request is null;
}
