using System.Globalization;
using EdgeServer.Policy.RateLimiting;
using EdgeServer.Policy.Waf.Evaluation;
using EdgeServer.Policy.Waf.Fields;
using EdgeServer.Policy.Waf.RateBased;

namespace EdgeServer.Policy.Waf.Statements;

/// <summary>
/// AWS WAF's RateBasedStatement on the edge's lock-free limiter: requests that match the scope-down statement (every
/// request when there is none) are counted per aggregate key, and the statement matches a request when its key is
/// over the limit.
/// </summary>
/// <remarks>
/// <para>
/// "Limit requests per EvaluationWindowSec" is enforced as GCRA with rate Limit / window and burst Limit (see
/// <see cref="GcraRate"/>): a key may send Limit requests at once, then one more every window / Limit. It is the smooth
/// equivalent of AWS's sliding window: over any window a key gets at most 2 × Limit − 1 requests past the statement,
/// and a client that keeps to Limit per window is never refused. A request over the limit is not counted (GCRA
/// refusals change nothing), so a client that hammers a blocked key is admitted at the sustained rate, no faster.
/// </para>
/// <para>
/// Counting happens in <see cref="Matches"/>, so a request is counted once per evaluation of the rule: the compiler
/// accepts this statement only as a rule's top-level statement (AWS WAF's rule too), never inside And/Or/Not or a
/// scope-down, where it would be counted or not depending on its siblings. A Count action counts the request, lets it
/// through and counts the match on the rule: a dry run of the limit.
/// </para>
/// <para>
/// The limiter is the statement's own and outlives it: a reload that compiles the same rule (same ACL, rule name and
/// definition: limit, window, keys, scope-down) reuses the running statement's limiter, so clients keep their counts.
/// </para>
/// </remarks>
public sealed class RateBasedStatement : WafStatement
{
    public RateBasedStatement(KeyedRateLimiter limiter, RateAggregateKey key, WafStatement? scopeDown)
    {
        ArgumentNullException.ThrowIfNull(limiter);
        ArgumentNullException.ThrowIfNull(key);
        Limiter = limiter;
        Key = key;
        ScopeDown = scopeDown;
    }

    public KeyedRateLimiter Limiter { get; }
    public RateAggregateKey Key { get; }
    public WafStatement? ScopeDown { get; }

    /// <summary>Requests per window (the burst as well).</summary>
    public long Limit => Limiter.Definition.Permits;
    public TimeSpan Window => Limiter.Definition.Period;

    public override bool Matches(ref WafContext context)
    {
        if (ScopeDown is not null && !ScopeDown.Matches(ref context)) return false;
        switch (Key.TryBuild(ref context, out var key))
        {
            case RateKeyOutcome.Absent: return false;
            case RateKeyOutcome.FallbackMatch: return true;
        }
        return !Limiter.TryAcquire(key, 1, context.RateTimestamp(Limiter.Clock)).Allowed;
    }

    /// <summary>It counts requests, so it runs per request; a connection ACL has none.</summary>
    public override bool IsConnectionLevel => false;
    internal override bool HasSideEffects => true; // every request it sees is counted

    /// <summary>A hash and a compare-and-swap on top of the key and the scope-down.</summary>
    public override int Cost => 2 + Key.Cost + (ScopeDown?.Cost ?? 0);

    public override string Describe() => Describe(Limiter.Definition, Key, ScopeDown);

    /// <summary>Everything the statement's behaviour depends on, in one line: two statements with the same text count alike.</summary>
    public static string Describe(RateLimitDefinition definition, RateAggregateKey key, WafStatement? scopeDown) =>
        string.Create(CultureInfo.InvariantCulture,
            $"RateBased over {definition.Permits} per {definition.Period.TotalSeconds:0.###}s by {key.Describe()} (burst {definition.Burst}, up to {definition.MaxKeys} {(definition.MaxKeys == 1 ? "key" : "keys")})") +
        (scopeDown is null ? "" : " where " + scopeDown.Describe());

    public override IEnumerable<TextInspection> Inspections => ScopeDown?.Inspections ?? [];

    /// <summary>
    /// Whether a reload may keep <paramref name="previous"/>'s counters for a statement compiled from this definition:
    /// the same limit, window, capacity, key and scope-down, on the same clock. Anything else starts afresh: counts
    /// kept under another rate, or for other requests, would mean something else.
    /// </summary>
    public static bool CanCarryOver(RateBasedStatement previous, RateLimitDefinition definition, RateAggregateKey key, WafStatement? scopeDown, TimeProvider clock) =>
        previous.Limiter.Definition == definition && ReferenceEquals(previous.Limiter.Clock, clock) &&
        previous.Describe() == Describe(definition, key, scopeDown);
}
