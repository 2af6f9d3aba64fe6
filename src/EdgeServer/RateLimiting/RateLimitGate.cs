using EdgeServer.Connections;
using EdgeServer.Policy.RateLimiting;
using EdgeServer.Protocol.Http1;
using EdgeServer.RateLimiting.Global;
using EdgeServer.Redis;

namespace EdgeServer.RateLimiting;

/// <summary>
/// Runs every limit that applies to a request, the listener's then the route's. Each limit counts the request
/// independently (a request refused by one still uses a slot in the others, as with nginx's limit_req zones),
/// and the strictest decides (<see cref="RateLimitVerdict"/>). Dry-run limits only count and mark the access log.
/// </summary>
/// <remarks>
/// Local and approximate global limits decide here, synchronously. Exact global limits send their Redis calls here
/// and return <see cref="Outcome.AwaitRedis"/>: the connection loop awaits the replies (each bounded by the Redis
/// timeout) and calls <see cref="Complete"/>. When Redis cannot answer, fail-open decides on the local table (kept as
/// a mirror of the fleet's state from earlier replies) and fail-closed refuses with 503.
/// </remarks>
internal static class RateLimitGate
{
    public enum Outcome { Allowed, Refused, AwaitRedis }

    public static Outcome Check(ClientConnection connection, CompiledRateLimit[] listenerLimits, CompiledRateLimit[] routeLimits,
        ReadOnlySpan<byte> routeName, out LocalAnswer answer)
    {
        var verdict = default(RateLimitVerdict);
        // One clock read for every limit: reading it costs more than a decision.
        var now = (listenerLimits.Length > 0 ? listenerLimits[0] : routeLimits[0]).Limiter.Clock.GetTimestamp();
        var pending = connection.GlobalDecisions;
        pending?.Clear();
        Check(connection, listenerLimits, routeName, now, ref verdict);
        Check(connection, routeLimits, routeName, now, ref verdict);
        pending = connection.GlobalDecisions;
        if (pending is { Count: > 0 })
        {
            pending.Verdict = verdict;
            pending.Now = now;
            // Calls were buffered: one write for all of the request's exact limits (a snapshot's global limits share
            // one Redis connection).
            pending[0].Limit.Redis!.Client.Flush();
            answer = default;
            return Outcome.AwaitRedis;
        }
        return Finish(connection, ref verdict, out answer);
    }

    /// <summary>Applies the exact limits' replies (awaited by the loop) to the verdict, and answers if it refuses.</summary>
    public static Outcome Complete(ClientConnection connection, out LocalAnswer answer)
    {
        var pending = connection.GlobalDecisions!;
        var verdict = pending.Verdict;
        for (var i = 0; i < pending.Count; i++)
        {
            var (limit, key, result) = pending[i];
            ApplyExact(connection, limit, key, result, pending.Now, ref verdict);
        }
        pending.Clear();
        return Finish(connection, ref verdict, out answer);
    }

    private static Outcome Finish(ClientConnection connection, ref RateLimitVerdict verdict, out LocalAnswer answer)
    {
        if (verdict.RefusedBy is not { } refusedBy)
        {
            answer = default;
            return Outcome.Allowed;
        }
        var head = connection.Head;
        // The body was not read: keep the connection only when there is none to skip.
        var close = !head.KeepAlive || head.BodyFraming != BodyFraming.None;
        var headOnly = head.Method == KnownMethod.Head;
        if (verdict.Unavailable)
        {
            connection.RateLimitedBy = refusedBy.UnavailableLabel;
            var unavailable = RateLimitResponse.WriteUnavailable(connection.Output, refusedBy.NameUtf8, connection.RequestId, close, headOnly);
            answer = new LocalAnswer(503, "global rate limit unavailable", unavailable, !close);
            return Outcome.Refused;
        }
        connection.RateLimitedBy = refusedBy.Config.Name;
        var written = RateLimitResponse.Write(connection.Output, refusedBy.Policy, refusedBy.NameUtf8, "rate limit exceeded"u8,
            verdict.Remaining, verdict.ResetSeconds, verdict.RetryAfterSeconds, connection.RequestId, close, headOnly);
        answer = new LocalAnswer(429, "rate limit exceeded", written, !close);
        return Outcome.Refused;
    }

    private static void Check(ClientConnection connection, CompiledRateLimit[] limits, ReadOnlySpan<byte> routeName, long now, ref RateLimitVerdict verdict)
    {
        if (limits.Length == 0) return;
        Span<byte> key = stackalloc byte[RequestKey.MaxKeyBytes];
        foreach (var limit in limits)
        {
            var n = RequestKey.Write(limit.Config, connection, limit.HeaderName, routeName, key);
            if (limit.Global is null)
            {
                Count(connection, limit, limit.Limiter.TryAcquire(key[..n], 1, now), ref verdict);
                continue;
            }
            var id = limit.Global.Hasher.Of(key[..n]);
            var redis = limit.Redis!;
            if (redis.Exact)
            {
                if (redis.Client.IsConnected)
                {
                    var reply = redis.Client.EvalAsync(GlobalLimitScripts.Acquire, 1,
                        new GlobalKeyCall(limit.Global.RedisKey(id.Identity, key), 1, limit.Global.IntervalMicros, limit.Global.CapacityMicros), flush: false);
                    (connection.GlobalDecisions ??= new PendingGlobalDecisions()).Add(limit, id, reply);
                    continue;
                }
                Fallback(connection, limit, id, now, ref verdict);
                continue;
            }
            if (!redis.Sync.Healthy)
            {
                Fallback(connection, limit, id, now, ref verdict);
                continue;
            }
            var decision = limit.Limiter.TryAcquire(id, 1, now);
            if (decision.Allowed) limit.Global.Log.TryAdd(new Spent(id.Identity, 1));
            Count(connection, limit, decision, ref verdict);
        }
    }

    /// <summary>Redis could not take part: fail-open decides (and logs the spending for later), fail-closed refuses.</summary>
    private static void Fallback(ClientConnection connection, CompiledRateLimit limit, RateLimitKey id, long now, ref RateLimitVerdict verdict)
    {
        var global = limit.Global!;
        if (limit.Redis!.FailOpen)
        {
            var decision = limit.Limiter.TryAcquire(id, 1, now);
            global.CountFallback(allowed: true);
            if (decision.Allowed && !limit.Redis.Exact) global.Log.TryAdd(new Spent(id.Identity, 1));
            Count(connection, limit, decision, ref verdict);
            return;
        }
        global.CountFallback(allowed: false);
        if (Enforced(connection, limit)) verdict.RefuseUnavailable(limit);
    }

    private static void ApplyExact(ClientConnection connection, CompiledRateLimit limit, RateLimitKey id, RedisResult result, long now, ref RateLimitVerdict verdict)
    {
        if (result.Kind != RedisResultKind.Array || result.Count != 3)
        {
            Fallback(connection, limit, id, now, ref verdict);
            return;
        }
        var global = limit.Global!;
        var at = limit.Limiter.Clock.GetTimestamp();
        var debt = global.MicrosToTicks(Math.Max(0, result.GetInteger(1)));
        // The local table mirrors the fleet's state, for the decisions it makes alone while Redis is away.
        if (debt > 0) limit.Limiter.Raise(id, at + debt, at);
        if (result.GetInteger(0) == 1)
        {
            limit.Counters.CountAllowed();
            return;
        }
        if (!Enforced(connection, limit)) return;
        var retry = global.MicrosToTicks(Math.Max(0, result.GetInteger(2)));
        var state = limit.Limiter.TryAcquire(id, 0, at);   // cost 0 reads the mirror: what the headers report
        var frequency = limit.Limiter.Clock.TimestampFrequency;
        verdict.Refuse(limit, retry, (retry + frequency - 1) / frequency, state.Remaining, state.ResetSeconds);
    }

    private static void Count(ClientConnection connection, CompiledRateLimit limit, RateLimitDecision decision, ref RateLimitVerdict verdict)
    {
        if (decision.Allowed)
        {
            limit.Counters.CountAllowed();
            return;
        }
        if (Enforced(connection, limit)) verdict.Refuse(limit, decision.RetryAfterTicks, decision.RetryAfterSeconds, decision.Remaining, decision.ResetSeconds);
    }

    /// <summary>Counts a refusal: true when the limit enforces it, false for a dry-run limit (counted and logged only).</summary>
    private static bool Enforced(ClientConnection connection, CompiledRateLimit limit)
    {
        if (limit.Config.DryRun)
        {
            limit.Counters.CountDryRun();
            connection.RateLimitedBy ??= limit.DryRunLabel;
            return false;
        }
        limit.Counters.CountLimited();
        return true;
    }
}
