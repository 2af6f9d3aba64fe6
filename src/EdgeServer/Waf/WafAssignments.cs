namespace EdgeServer.Waf;

/// <summary>Which ACL slots each listener and route uses under one config snapshot.</summary>
internal sealed class WafAssignments(Dictionary<string, WafSet> listeners, Dictionary<string, WafSet> routes)
{
    public static WafAssignments Empty { get; } = new([], []);

    public WafSet Listener(string name) => listeners.GetValueOrDefault(name) ?? WafSet.None;
    public WafSet Route(string name) => routes.GetValueOrDefault(name) ?? WafSet.None;
}
