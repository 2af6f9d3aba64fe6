using EdgeServer.Policy.Waf.Statements;

namespace EdgeServer.Policy.Waf;

/// <summary>Who owns a rule and until when it applies: security teams expire temporary rules instead of forgetting them.</summary>
public sealed record WafRuleMetadata(string? Owner, string? Ticket, DateTimeOffset? ExpiresAt);

/// <summary>
/// A rule's counters, kept by the daemon per ACL and rule name so they survive reloads (a recompiled rule
/// gets the same cells) and read by /metrics.
/// </summary>
public sealed class WafRuleCounters
{
    private long _matches;
    private long _evaluations;

    public long Matches => Volatile.Read(ref _matches);
    public long Evaluations => Volatile.Read(ref _evaluations);
    internal void CountEvaluation() => Interlocked.Increment(ref _evaluations);
    internal void CountMatch() => Interlocked.Increment(ref _matches);
}

/// <summary>One compiled rule: its statement tree, action, the labels it adds, and its counters.</summary>
public sealed class WafRule(string name, int priority, WafAction action, WafStatement statement, int[] labelIds, string labelText,
    WafRuleMetadata metadata, WafRuleCounters counters)
{
    public string Name { get; } = name;
    public int Priority { get; } = priority;
    public WafAction Action { get; } = action;
    public WafStatement Statement { get; } = statement;
    internal int[] LabelIds { get; } = labelIds;
    /// <summary>The rule's labels joined with ',' for the access log (precomputed: logging a decision allocates nothing).</summary>
    public string LabelText { get; } = labelText;
    public WafRuleMetadata Metadata { get; } = metadata;

    public bool IsExpired(DateTimeOffset now) => Metadata.ExpiresAt is { } expires && expires <= now;

    public WafRuleCounters Counters { get; } = counters;
}
