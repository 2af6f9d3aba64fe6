using EdgeServer.Observability;

namespace EdgeServer.RateLimiting;

/// <summary>/metrics for rate limits: decisions by limit and result, tracked keys, and decisions made at the table's cap.</summary>
internal static class RateLimitMetrics
{
    public static void Write(PrometheusTextWriter writer, RateLimitEngine engine)
    {
        writer.WriteFamily("edge_ratelimit_decisions_total", "Rate limit decisions by limit and result (allowed, limited, dry_run: a dry-run limit would have refused).", "counter");
        foreach (var (name, counters) in engine.Counters)
        {
            Sample(writer, "edge_ratelimit_decisions_total", name, "allowed", counters.Allowed);
            Sample(writer, "edge_ratelimit_decisions_total", name, "limited", counters.Limited);
            Sample(writer, "edge_ratelimit_decisions_total", name, "dry_run", counters.DryRun);
        }
        WriteConnections(writer, engine);
        var limits = engine.Current.All;
        var now = engine.Clock.GetTimestamp();
        writer.WriteFamily("edge_ratelimit_keys", "Keys a limit currently tracks (idle keys are not counted).", "gauge");
        foreach (var limit in limits)
        {
            writer.BeginSample("edge_ratelimit_keys");
            writer.AddLabel("limit", limit.Config.Name);
            writer.EndSample(limit.Limiter.CountActiveKeys(now));
        }
        writer.WriteFamily("edge_ratelimit_overflow_total", "Decisions made while a limit's key table was full of active keys (see the README: what happens at the cap).", "counter");
        foreach (var limit in limits)
        {
            writer.BeginSample("edge_ratelimit_overflow_total");
            writer.AddLabel("limit", limit.Config.Name);
            writer.EndSample(limit.Limiter.OverflowDecisions);
        }
    }

    public static void WriteConnections(PrometheusTextWriter writer, RateLimitEngine engine)
    {
        writer.WriteFamily("edge_connections_refused_per_ip_total", "Connections refused at accept by a listener's per-address limits, by reason (max_per_ip: too many open; new_per_ip: too many new).", "counter");
        foreach (var limiter in engine.ConnectionLimiters)
        {
            writer.BeginSample("edge_connections_refused_per_ip_total");
            writer.AddLabel("listener", limiter.Listener);
            writer.AddLabel("reason", "max_per_ip");
            writer.EndSample(limiter.RefusedOpen);
            writer.BeginSample("edge_connections_refused_per_ip_total");
            writer.AddLabel("listener", limiter.Listener);
            writer.AddLabel("reason", "new_per_ip");
            writer.EndSample(limiter.RefusedNew);
        }
    }

    private static void Sample(PrometheusTextWriter writer, string family, string limit, string result, long value)
    {
        writer.BeginSample(family);
        writer.AddLabel("limit", limit);
        writer.AddLabel("result", result);
        writer.EndSample(value);
    }
}
