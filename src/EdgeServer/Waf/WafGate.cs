using EdgeServer.Policy.Waf;
using EdgeServer.Policy.Waf.Evaluation;
using Microsoft.Extensions.Logging;

namespace EdgeServer.Waf;

/// <summary>
/// Runs a listener's or route's ACLs for one request or connection, records the decision, and evaluates
/// the shadow ACL beside the active one, counting (and logging, at a bounded rate) where they disagree.
/// </summary>
internal sealed partial class WafGate(WafEngine engine, ILogger logger)
{
    private const int MaxStackRules = 256;
    private long _shadowLogWindow;
    private int _shadowLogsInWindow;

    public WafEngine Engine => engine;

    /// <summary>The connection ACL at accept: true when the connection may proceed.</summary>
    public bool AdmitConnection(WafAclSlot slot, ReadOnlySpan<byte> address, out WafVerdict verdict)
    {
        var acl = slot.Acl;
        verdict = acl.Evaluate(new WafRequest(null, address), engine.Geo, Now(acl));
        engine.Metrics.Decision(slot, acl, verdict);
        if (verdict.Blocked) engine.Metrics.ConnectionRefused();
        return !verdict.Blocked;
    }

    /// <summary>The request ACL of <paramref name="set"/> (and its shadow, compared but never enforced).</summary>
    public WafVerdict Evaluate(WafSet set, in WafRequest request)
    {
        var slot = set.Request!;
        var acl = slot.Acl;
        if (set.Shadow is null)
        {
            var verdict = acl.Evaluate(request, engine.Geo, Now(acl));
            engine.Metrics.Decision(slot, acl, verdict);
            return verdict;
        }
        var shadow = set.Shadow.Acl;
        var now = acl.HasExpiringRules || shadow.HasExpiringRules ? DateTimeOffset.UtcNow : default;
        var pairing = ShadowPairing.For(ref set.Shadow.Pairing, acl, shadow);
        Span<bool> activeMatched = acl.Rules.Count <= MaxStackRules ? stackalloc bool[acl.Rules.Count] : new bool[acl.Rules.Count];
        Span<bool> shadowMatched = shadow.Rules.Count <= MaxStackRules ? stackalloc bool[shadow.Rules.Count] : new bool[shadow.Rules.Count];
        var active = acl.Evaluate(request, engine.Geo, now, activeMatched);
        engine.Metrics.Decision(slot, acl, active);
        var candidate = shadow.Evaluate(request, engine.Geo, now, shadowMatched);
        Compare(pairing, active, candidate, activeMatched, shadowMatched);
        return active;
    }

    /// <summary>The time only rules with an expiry date need: reading the clock costs more than most rules.</summary>
    private static DateTimeOffset Now(WebAcl acl) => acl.HasExpiringRules ? DateTimeOffset.UtcNow : default;

    private void Compare(ShadowPairing pairing, in WafVerdict active, in WafVerdict candidate, ReadOnlySpan<bool> activeMatched, ReadOnlySpan<bool> shadowMatched)
    {
        var shadowName = pairing.Shadow.Name;
        if (active.Action != candidate.Action)
        {
            engine.Metrics.ShadowDifference(shadowName, candidate.Rule?.Name ?? "(default action)", "decision");
            if (MayLog())
                LogShadowDecision(logger, shadowName, candidate.Action.ToString(), candidate.Rule?.Name ?? "(default action)",
                    active.Action.ToString(), active.Rule?.Name ?? "(default action)");
        }
        for (var i = 0; i < shadowMatched.Length; i++)
        {
            var j = pairing.ShadowToActive[i];
            var before = j >= 0 && activeMatched[j];
            if (shadowMatched[i] == before) continue;
            engine.Metrics.ShadowDifference(shadowName, pairing.Shadow.Rules[i].Name, shadowMatched[i] ? "match_added" : "match_removed");
        }
        foreach (var j in pairing.RemovedInShadow)
        {
            if (activeMatched[j]) engine.Metrics.ShadowDifference(shadowName, pairing.Active.Rules[j].Name, "match_removed");
        }
    }

    /// <summary>At most 10 shadow log lines a second: a shadow that disagrees on every request must not flood the log.</summary>
    private bool MayLog()
    {
        var second = Environment.TickCount64 / 1000;
        if (Interlocked.Exchange(ref _shadowLogWindow, second) != second) Volatile.Write(ref _shadowLogsInWindow, 0);
        return Interlocked.Increment(ref _shadowLogsInWindow) <= 10;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "waf shadow {Shadow}: would {ShadowAction} (rule {ShadowRule}) where the active ACL did {ActiveAction} (rule {ActiveRule})")]
    private static partial void LogShadowDecision(ILogger logger, string shadow, string shadowAction, string shadowRule, string activeAction, string activeRule);
}
