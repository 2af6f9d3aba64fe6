using EdgeServer.Observability;

namespace EdgeServer.RateLimiting.Global;

/// <summary>
/// /metrics for global limits: whether Redis is up and how its calls fare (timeouts, errors, reconnects), the sync
/// loop's rounds, and, per limit, keys synced, spending dropped, and decisions made without Redis by fail policy.
/// Written only when a 'redis' section is configured.
/// </summary>
internal static class GlobalLimitMetrics
{
    public static void Write(PrometheusTextWriter writer, GlobalLimitEngine engine)
    {
        if (engine.Current is not { } connection) return;
        var health = connection.Client.Health;
        Gauge(writer, "edge_redis_up", "1 when the connection to Redis is ready for calls.", health.Connected ? 1 : 0);
        Gauge(writer, "edge_redis_pending_calls", "Calls awaiting a Redis reply.", health.Pending);
        Counter(writer, "edge_redis_connects_total", "Connections to Redis that completed their handshake (more than one means reconnects).", health.Connects);
        Counter(writer, "edge_redis_connect_failures_total", "Attempts to connect to Redis that failed.", health.ConnectFailures);
        Counter(writer, "edge_redis_calls_total", "Commands sent to Redis.", health.Calls);
        writer.WriteFamily("edge_redis_call_failures_total", "Redis calls that did not get a good reply, by reason.", "counter");
        Reason(writer, "timeout", health.Timeouts);
        Reason(writer, "not_connected", health.NotConnected);
        Reason(writer, "connection_lost", health.ConnectionLost);
        Reason(writer, "overloaded", health.Overloaded);
        Reason(writer, "error_reply", health.ErrorReplies);

        var sync = connection.Sync;
        writer.WriteFamily("edge_ratelimit_global_sync_rounds_total", "Approximate-mode sync rounds with Redis, by result.", "counter");
        Result(writer, "ok", sync.Rounds - sync.FailedRounds);
        Result(writer, "failed", sync.FailedRounds);
        Gauge(writer, "edge_ratelimit_global_sync_healthy", "1 when the last sync round with Redis is recent (fail-closed limits refuse while 0).", sync.Healthy ? 1 : 0);

        var limits = engine.Limits;
        PerLimit(writer, limits, "edge_ratelimit_global_synced_keys_total", "Keys pushed to and pulled from Redis by the sync loop.", l => l.SyncedKeys);
        PerLimit(writer, limits, "edge_ratelimit_global_sync_failures_total", "Keys whose sync call failed.", l => l.SyncFailures);
        PerLimit(writer, limits, "edge_ratelimit_global_dropped_total", "Spending not logged for the sync loop because its ring was full.", l => l.Log.Dropped);
        PerLimit(writer, limits, "edge_ratelimit_global_untracked_total", "Keys the sync loop could not follow (more active keys than maxKeys).", l => l.Untracked);
        var quotas = engine.Quotas;
        writer.WriteFamily("edge_quota_global_synced_keys_total", "Usage plan quota counters pushed to and pulled from Redis, by plan.", "counter");
        foreach (var quota in quotas)
        {
            writer.BeginSample("edge_quota_global_synced_keys_total");
            writer.AddLabel("plan", quota.Plan);
            writer.EndSample(quota.SyncedKeys);
        }
        writer.WriteFamily("edge_quota_global_sync_failures_total", "Usage plan quota counters whose sync call failed, by plan.", "counter");
        foreach (var quota in quotas)
        {
            writer.BeginSample("edge_quota_global_sync_failures_total");
            writer.AddLabel("plan", quota.Plan);
            writer.EndSample(quota.SyncFailures);
        }
        writer.WriteFamily("edge_ratelimit_redis_fallback_total", "Decisions made without Redis because it could not answer, by fail policy (open: decided locally; closed: refused).", "counter");
        foreach (var limit in limits)
        {
            Fallback(writer, limit.Name, "open", limit.FallbackAllowed);
            Fallback(writer, limit.Name, "closed", limit.FallbackRefused);
        }
    }

    private static void Gauge(PrometheusTextWriter writer, string name, string help, long value)
    {
        writer.WriteFamily(name, help, "gauge");
        writer.BeginSample(name);
        writer.EndSample(value);
    }

    private static void Counter(PrometheusTextWriter writer, string name, string help, long value)
    {
        writer.WriteFamily(name, help, "counter");
        writer.BeginSample(name);
        writer.EndSample(value);
    }

    private static void Reason(PrometheusTextWriter writer, string reason, long value)
    {
        writer.BeginSample("edge_redis_call_failures_total");
        writer.AddLabel("reason", reason);
        writer.EndSample(value);
    }

    private static void Result(PrometheusTextWriter writer, string result, long value)
    {
        writer.BeginSample("edge_ratelimit_global_sync_rounds_total");
        writer.AddLabel("result", result);
        writer.EndSample(value);
    }

    private static void PerLimit(PrometheusTextWriter writer, GlobalRateLimit[] limits, string name, string help, Func<GlobalRateLimit, long> value)
    {
        writer.WriteFamily(name, help, "counter");
        foreach (var limit in limits)
        {
            writer.BeginSample(name);
            writer.AddLabel("limit", limit.Name);
            writer.EndSample(value(limit));
        }
    }

    private static void Fallback(PrometheusTextWriter writer, string limit, string policy, long value)
    {
        writer.BeginSample("edge_ratelimit_redis_fallback_total");
        writer.AddLabel("limit", limit);
        writer.AddLabel("policy", policy);
        writer.EndSample(value);
    }
}
