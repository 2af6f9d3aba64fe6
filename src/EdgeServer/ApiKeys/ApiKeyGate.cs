using EdgeServer.Config.Model;
using EdgeServer.Connections;
using EdgeServer.Http;
using EdgeServer.Policy.ApiKeys;
using EdgeServer.Protocol.Http1;
using EdgeServer.Policy.RateLimiting;
using EdgeServer.RateLimiting;
using EdgeServer.RateLimiting.Global;

namespace EdgeServer.ApiKeys;

/// <summary>
/// A route that needs an API key: the key is authenticated (403 with the reason when missing, malformed, unknown
/// or revoked, or when its plan is not one the route takes), then its plan's throttle (429) and quota (429 with
/// the reset time) are checked. The key header is never forwarded; backends get the key's name instead.
/// </summary>
internal static class ApiKeyGate
{
    /// <summary>True when the request was refused: the answer is written.</summary>
    public static bool Refused(ClientConnection connection, ApiKeyEngine keys, RouteApiKeyConfig route, out LocalAnswer answer)
    {
        var head = connection.Head;
        var close = !head.KeepAlive || head.BodyFraming != BodyFraming.None;
        var headOnly = head.Method == KnownMethod.Head;
        var index = keys.HeaderName is { } name ? head.IndexOf(name) : -1;
        var status = keys.Store.TryAuthenticate(index < 0 ? default : head.Value(index), out var entry);
        if (status != ApiKeyStatus.Ok)
        {
            answer = Forbidden(connection, status.Reason(), close, headOnly);
            return true;
        }
        if (route.Plans.Count > 0 && !Contains(route.Plans, entry!.Plan))
        {
            connection.ApiKey = entry;
            answer = Forbidden(connection, "the API key's usage plan does not include this route", close, headOnly);
            return true;
        }
        connection.ApiKey = entry;
        connection.ApiKeyForwardHeader = keys.ForwardHeader;
        head.MutableFields[index].Drop = true;

        var plan = keys.Plan(entry!.Plan);
        // A global plan whose Redis sync is stale: fail-closed refuses (503), fail-open goes on with the local counts.
        if (plan?.Redis is { } redis && !redis.Sync.Healthy && !redis.FailOpen)
        {
            connection.RateLimitedBy = plan.UnavailableLabel;
            var written = RateLimitResponse.WriteUnavailable(connection.Output, plan.NameUtf8, connection.RequestId, close, headOnly);
            answer = new LocalAnswer(503, "usage plan unavailable (redis)", written, !close);
            return true;
        }
        if (plan?.Throttle is { } throttle)
        {
            RateLimitDecision decision;
            if (plan.GlobalThrottle is { } shared)
            {
                var id = shared.Hasher.Of(entry.IdUtf8.Span);
                decision = throttle.TryAcquire(id, 1, throttle.Clock.GetTimestamp());
                if (decision.Allowed) shared.Log.TryAdd(new Spent(id.Identity, 1));
            }
            else
            {
                decision = throttle.TryAcquire(entry.IdUtf8.Span);
            }
            if (!decision.Allowed)
            {
                connection.RateLimitedBy = plan.Config.Name;
                var written = RateLimitResponse.Write(connection.Output, plan.ThrottlePolicy, plan.NameUtf8, "rate limit exceeded"u8,
                    decision.Remaining, decision.ResetSeconds, Math.Max(1, decision.RetryAfterSeconds), connection.RequestId, close, headOnly);
                answer = new LocalAnswer(429, "usage plan throttle", written, !close);
                return true;
            }
        }
        if (plan?.Quota is { } quota && plan.Config.QuotaLimit is { } limit)
        {
            var now = keys.Clock.GetUtcNow();
            var window = QuotaWindow.For(plan.Config.QuotaPeriod, now);
            var allowed = quota.TryConsume(entry.Id.Value, window.Index, limit, out _);
            if (allowed && plan.GlobalQuota is { } sharedQuota) sharedQuota.Log.TryAdd(new QuotaSpent(entry, window.Index, 1));
            if (!allowed)
            {
                connection.RateLimitedBy = plan.Config.Name + " quota";
                var reset = Math.Max(1, window.SecondsUntilReset(now));
                var written = RateLimitResponse.Write(connection.Output, plan.QuotaPolicy, plan.QuotaName, "quota exhausted"u8,
                    0, reset, reset, connection.RequestId, close, headOnly);
                answer = new LocalAnswer(429, "usage plan quota exhausted", written, !close);
                return true;
            }
        }
        answer = default;
        return false;
    }

    private static LocalAnswer Forbidden(ClientConnection connection, string reason, bool close, bool headOnly)
    {
        var written = EdgeError.Write(connection.Output, 403, reason, connection.RequestId, close, headOnly);
        return new LocalAnswer(403, reason, written, !close);
    }

    private static bool Contains(IReadOnlyList<string> plans, string plan)
    {
        for (var i = 0; i < plans.Count; i++)
        {
            if (string.Equals(plans[i], plan, StringComparison.Ordinal)) return true;
        }
        return false;
    }
}
