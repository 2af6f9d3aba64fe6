using System.Collections.Concurrent;
using EdgeServer.Observability;
using EdgeServer.Policy.Waf;
using System.Runtime.CompilerServices;
using EdgeServer.Policy.Waf.Evaluation;
using EdgeServer.Policy.Waf.Statements;
using EdgeServer.Waf.Compiler;

namespace EdgeServer.Waf;

/// <summary>
/// WAF counters beyond the per-rule ones: decisions per ACL and action, blocks by country, shadow
/// disagreements, connection-level closes. Keys are created on first use (a handful per ACL), then
/// updates are one Interlocked add on an existing cell. Decisions, counted on every request, find their
/// cells through the ACL's slot: a dictionary lookup by ACL name (string hashing) cost more than a rule.
/// </summary>
internal sealed class WafMetrics
{
    private static readonly int s_actions = Enum.GetValues<WafActionKind>().Length;
    private readonly ConcurrentDictionary<string, long[]> _decisions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<ushort, StrongBox<long>> _blocksByCountry = new();
    private readonly ConcurrentDictionary<(string Acl, string Rule, string Change), StrongBox<long>> _shadow = new();
    private long _connectionsRefused;
    private long _connectionsClosed;

    public void Decision(WafAclSlot slot, WebAcl acl, in WafVerdict verdict)
    {
        var cells = slot.DecisionCells;
        if (cells is null || !ReferenceEquals(cells.Acl, acl))
        {
            cells = new WafDecisionCells(acl, _decisions.GetOrAdd(acl.Name, static _ => new long[s_actions]));
            slot.DecisionCells = cells;
        }
        Interlocked.Increment(ref cells.ByAction[(int)verdict.Action]);
        if (verdict.Blocked)
        {
            var country = verdict.Country ?? 0;
            Interlocked.Increment(ref _blocksByCountry.GetOrAdd(country, static _ => new StrongBox<long>()).Value);
        }
    }

    /// <summary>change: "decision" (the verdicts differ), "match_added" or "match_removed" (a rule matches in one ACL only).</summary>
    public void ShadowDifference(string acl, string rule, string change) =>
        Interlocked.Increment(ref _shadow.GetOrAdd((acl, rule, change), static _ => new StrongBox<long>()).Value);

    public void ConnectionRefused() => Interlocked.Increment(ref _connectionsRefused);
    public void ConnectionClosed() => Interlocked.Increment(ref _connectionsClosed);

    public void Write(PrometheusTextWriter writer, WafCounterRegistry rules, WafEngine engine)
    {
        writer.WriteFamily("edge_waf_rule_matches_total", "Requests a WAF rule matched, by ACL, rule and the rule's action.", "counter");
        var actions = engine.Slots.SelectMany(s => s.Acl.Rules.Select(r => (s.Acl.Name, r.Name, r.Action.Label))).ToDictionary(x => (x.Item1, x.Item2), x => x.Label);
        foreach (var ((acl, rule), counters) in rules.All)
        {
            writer.BeginSample("edge_waf_rule_matches_total");
            writer.AddLabel("acl", acl);
            writer.AddLabel("rule", rule);
            writer.AddLabel("action", actions.GetValueOrDefault((acl, rule)) ?? "removed");
            writer.EndSample(counters.Matches);
        }
        writer.WriteFamily("edge_waf_rule_evaluations_total", "Requests a WAF rule was evaluated on, by ACL and rule.", "counter");
        foreach (var ((acl, rule), counters) in rules.All)
        {
            writer.BeginSample("edge_waf_rule_evaluations_total");
            writer.AddLabel("acl", acl);
            writer.AddLabel("rule", rule);
            writer.EndSample(counters.Evaluations);
        }
        writer.WriteFamily("edge_waf_decisions_total", "Final ACL decisions, by ACL and action (allow includes the default action).", "counter");
        foreach (var (acl, byAction) in _decisions.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            for (var action = 0; action < byAction.Length; action++)
            {
                var count = Volatile.Read(ref byAction[action]);
                if (count == 0) continue; // an action's series appears once it has happened
                writer.BeginSample("edge_waf_decisions_total");
                writer.AddLabel("acl", acl);
                writer.AddLabel("action", (WafActionKind)action == WafActionKind.Block ? "block" : (WafActionKind)action == WafActionKind.Allow ? "allow" : "count");
                writer.EndSample(count);
            }
        }
        writer.WriteFamily("edge_waf_blocks_by_country_total", "Blocked requests by client country (\"\" when unknown or not looked up).", "counter");
        foreach (var (country, count) in _blocksByCountry.OrderBy(p => p.Key))
        {
            writer.BeginSample("edge_waf_blocks_by_country_total");
            writer.AddLabel("country", country == 0 ? "" : CountryCodes.Unpack(country));
            writer.EndSample(Volatile.Read(ref count.Value));
        }
        writer.WriteFamily("edge_waf_shadow_differences_total", "Where a shadow ACL disagrees with the active one, by shadow ACL, rule and kind of change.", "counter");
        foreach (var ((acl, rule, change), count) in _shadow.OrderBy(p => p.Key.Acl, StringComparer.Ordinal).ThenBy(p => p.Key.Rule, StringComparer.Ordinal).ThenBy(p => p.Key.Change, StringComparer.Ordinal))
        {
            writer.BeginSample("edge_waf_shadow_differences_total");
            writer.AddLabel("acl", acl);
            writer.AddLabel("rule", rule);
            writer.AddLabel("change", change);
            writer.EndSample(Volatile.Read(ref count.Value));
        }
        EdgeMetricsRenderer.WriteScalar(writer, "edge_waf_connections_refused_total", "Connections refused at accept by a connection ACL.", "counter", Volatile.Read(ref _connectionsRefused));
        EdgeMetricsRenderer.WriteScalar(writer, "edge_waf_connections_closed_total", "Open connections closed because a reloaded connection ACL blocks their address.", "counter", Volatile.Read(ref _connectionsClosed));
        writer.WriteFamily("edge_waf_reloads_total", "Reloads of rule files, IP sets and the geo database after a file change, by result.", "counter");
        writer.BeginSample("edge_waf_reloads_total");
        writer.AddLabel("result", "failure");
        writer.EndSample(engine.ReloadFailures);
        writer.BeginSample("edge_waf_reloads_total");
        writer.AddLabel("result", "success");
        writer.EndSample(engine.ReloadSuccesses);
        WriteRateBased(writer, engine);
        writer.WriteFamily("edge_waf_rules_expired", "Rules past their Metadata.ExpiresAt (no longer applied), by ACL.", "gauge");
        var now = DateTimeOffset.UtcNow;
        foreach (var slot in engine.Slots.OrderBy(s => s.Acl.Name, StringComparer.Ordinal))
        {
            writer.BeginSample("edge_waf_rules_expired");
            writer.AddLabel("acl", slot.Acl.Name);
            writer.EndSample(slot.Acl.Rules.Count(r => r.IsExpired(now)));
        }
    }

    /// <summary>Rate-based rules: keys each one tracks now (a table scan per scrape) and decisions made at the table's cap.</summary>
    private static void WriteRateBased(PrometheusTextWriter writer, WafEngine engine)
    {
        var rules = engine.Slots.SelectMany(s => s.Acl.Rules.Where(r => r.Statement is RateBasedStatement).Select(r => (Acl: s.Acl.Name, Rule: r.Name, Limiter: ((RateBasedStatement)r.Statement).Limiter)))
            .OrderBy(x => x.Acl, StringComparer.Ordinal).ThenBy(x => x.Rule, StringComparer.Ordinal).ToList();
        var now = engine.Clock.GetTimestamp();
        writer.WriteFamily("edge_waf_rate_keys", "Keys a rate-based WAF rule currently tracks (keys whose count has fully drained are not counted), by ACL and rule.", "gauge");
        foreach (var (acl, rule, limiter) in rules)
        {
            writer.BeginSample("edge_waf_rate_keys");
            writer.AddLabel("acl", acl);
            writer.AddLabel("rule", rule);
            writer.EndSample(limiter.CountActiveKeys(now));
        }
        writer.WriteFamily("edge_waf_rate_overflow_total", "Decisions of a rate-based WAF rule made by its shared overflow bucket because its key table was full (raise MaxKeys if it grows).", "counter");
        foreach (var (acl, rule, limiter) in rules)
        {
            writer.BeginSample("edge_waf_rate_overflow_total");
            writer.AddLabel("acl", acl);
            writer.AddLabel("rule", rule);
            writer.EndSample(limiter.OverflowDecisions);
        }
    }
}
