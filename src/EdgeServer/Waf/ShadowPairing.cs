using EdgeServer.Policy.Waf;

namespace EdgeServer.Waf;

/// <summary>
/// For a shadow ACL and the active one: which active rule has each shadow rule's name (-1: new in the
/// shadow). Computed once per pair of compiled ACLs, so comparing on every request is an index lookup.
/// </summary>
internal sealed class ShadowPairing
{
    private ShadowPairing(WebAcl active, WebAcl shadow)
    {
        Active = active;
        Shadow = shadow;
        var byName = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < active.Rules.Count; i++) byName[active.Rules[i].Name] = i;
        ShadowToActive = [.. shadow.Rules.Select(r => byName.GetValueOrDefault(r.Name, -1))];
        var shadowNames = shadow.Rules.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        RemovedInShadow = [.. Enumerable.Range(0, active.Rules.Count).Where(i => !shadowNames.Contains(active.Rules[i].Name))];
    }

    public WebAcl Active { get; }
    public WebAcl Shadow { get; }
    public int[] ShadowToActive { get; }
    /// <summary>Active rules the shadow no longer has: their matches are "match_removed".</summary>
    public int[] RemovedInShadow { get; }

    public static ShadowPairing For(ref ShadowPairing? cached, WebAcl active, WebAcl shadow)
    {
        var current = Volatile.Read(ref cached);
        if (current is not null && ReferenceEquals(current.Active, active) && ReferenceEquals(current.Shadow, shadow)) return current;
        current = new ShadowPairing(active, shadow);
        Volatile.Write(ref cached, current);
        return current;
    }
}
