using System.Collections.Concurrent;
using EdgeServer.Policy.Waf;

namespace EdgeServer.Waf.Compiler;

/// <summary>
/// Rule counters by ACL and rule name, for the process lifetime: a recompiled rule keeps counting into the
/// same cells, so /metrics counters never go backwards on reload.
/// </summary>
internal sealed class WafCounterRegistry
{
    private readonly ConcurrentDictionary<(string Acl, string Rule), WafRuleCounters> _counters = new();

    public WafRuleCounters For(string acl, string rule) => _counters.GetOrAdd((acl, rule), static _ => new WafRuleCounters());

    public IEnumerable<((string Acl, string Rule) Key, WafRuleCounters Counters)> All =>
        _counters.Select(p => (p.Key, p.Value)).OrderBy(p => p.Key.Acl, StringComparer.Ordinal).ThenBy(p => p.Key.Rule, StringComparer.Ordinal);
}
