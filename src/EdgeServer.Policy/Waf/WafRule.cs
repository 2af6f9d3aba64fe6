using EdgeServer.Policy.Waf.Statements;

namespace EdgeServer.Policy.Waf;

/// <summary>Who owns a rule and until when it applies: security teams expire temporary rules instead of forgetting them.</summary>
public sealed record WafRuleMetadata(string? Owner, string? Ticket, DateTimeOffset? ExpiresAt);

/// <summary>
/// A rule's counters, kept by the daemon per ACL and rule name so they survive reloads (a recompiled rule
/// gets the same cells) and read by /metrics. Evaluations are read from the stop tallies of every compiled
/// ACL the rule has been part of (see <see cref="WafStopTally"/>).
/// </summary>
public sealed class WafRuleCounters
{
    /// <summary>Tallies kept per counter; older ones are folded into a fixed sum (their ACLs were replaced long ago).</summary>
    private const int MaxSources = 16;
    private readonly Lock _gate = new();
    private long _matches;
    private long _folded;
    private (WafStopTally Tally, int Index)[] _sources = [];

    public long Matches => Volatile.Read(ref _matches);

    public long Evaluations
    {
        get
        {
            long total = Volatile.Read(ref _folded);
            foreach (var (tally, index) in Volatile.Read(ref _sources)) total += tally.EvaluationsOf(index);
            return total;
        }
    }

    internal void CountMatch() => Interlocked.Increment(ref _matches);

    /// <summary>A newly compiled ACL holds this rule at <paramref name="index"/>.</summary>
    public void Attach(WafStopTally tally, int index)
    {
        lock (_gate)
        {
            var sources = _sources;
            var keep = sources.Length < MaxSources ? sources : sources[1..];
            if (keep.Length != sources.Length) Volatile.Write(ref _folded, _folded + sources[0].Tally.EvaluationsOf(sources[0].Index));
            Volatile.Write(ref _sources, [.. keep, (tally, index)]);
        }
    }
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
