using EdgeServer.Connections;
using EdgeServer.Policy.RateLimiting;
using EdgeServer.Protocol.Http1;

namespace EdgeServer.RateLimiting;

/// <summary>
/// Runs every limit that applies to a request, the listener's then the route's. Each limit counts the request
/// independently (a request refused by one still uses a slot in the others, as with nginx's limit_req zones),
/// and the strictest decides: of the limits that refuse, the one whose Retry-After is longest answers.
/// Dry-run limits only count and mark the access log.
/// </summary>
internal static class RateLimitGate
{
    /// <summary>True when a limit refused: its 429 is written.</summary>
    public static bool Limited(ClientConnection connection, CompiledRateLimit[] listenerLimits, CompiledRateLimit[] routeLimits,
        ReadOnlySpan<byte> routeName, out LocalAnswer answer)
    {
        CompiledRateLimit? refusedBy = null;
        RateLimitDecision refusal = default;
        // One clock read for every limit: reading it costs more than a decision.
        var now = (listenerLimits.Length > 0 ? listenerLimits[0] : routeLimits[0]).Limiter.Clock.GetTimestamp();
        Check(connection, listenerLimits, routeName, now, ref refusedBy, ref refusal);
        Check(connection, routeLimits, routeName, now, ref refusedBy, ref refusal);
        if (refusedBy is null)
        {
            answer = default;
            return false;
        }

        connection.RateLimitedBy = refusedBy.Config.Name;
        var head = connection.Head;
        // The body was not read: keep the connection only when there is none to skip.
        var close = !head.KeepAlive || head.BodyFraming != BodyFraming.None;
        var written = RateLimitResponse.Write(connection.Output, refusedBy.Policy, refusedBy.NameUtf8, "rate limit exceeded"u8,
            refusal.Remaining, refusal.ResetSeconds, Math.Max(1, refusal.RetryAfterSeconds), connection.RequestId, close,
            headOnly: head.Method == KnownMethod.Head);
        answer = new LocalAnswer(429, "rate limit exceeded", written, !close);
        return true;
    }

    private static void Check(ClientConnection connection, CompiledRateLimit[] limits, ReadOnlySpan<byte> routeName, long now,
        ref CompiledRateLimit? refusedBy, ref RateLimitDecision refusal)
    {
        if (limits.Length == 0) return;
        Span<byte> key = stackalloc byte[RequestKey.MaxKeyBytes];
        foreach (var limit in limits)
        {
            var n = RequestKey.Write(limit.Config, connection, limit.HeaderName, routeName, key);
            var decision = limit.Limiter.TryAcquire(key[..n], 1, now);
            if (decision.Allowed)
            {
                limit.Counters.CountAllowed();
                continue;
            }
            if (limit.Config.DryRun)
            {
                limit.Counters.CountDryRun();
                connection.RateLimitedBy ??= limit.DryRunLabel;
                continue;
            }
            limit.Counters.CountLimited();
            if (refusedBy is null || decision.RetryAfterTicks > refusal.RetryAfterTicks)
            {
                refusedBy = limit;
                refusal = decision;
            }
        }
    }
}
