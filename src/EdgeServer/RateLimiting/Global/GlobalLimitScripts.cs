using EdgeServer.Redis;

namespace EdgeServer.RateLimiting.Global;

/// <summary>
/// The Lua scripts that keep global limits in Redis. A global limit's state is GCRA's one number per key, as locally
/// (<see cref="Policy.RateLimiting.GcraRate"/>): the theoretical arrival time, in microseconds of Redis's own clock
/// (TIME), so the nodes never compare their clocks with each other. Scripts return the key's debt (TAT − now, in µs),
/// which a node turns into a TAT on its own monotonic clock.
/// </summary>
/// <remarks>
/// Lua 5.1 numbers are doubles: microsecond times (about 2⁵¹ today) are exact below 2⁵³, and TATs are written with
/// <c>%.0f</c> because <c>tostring</c> would round them to 14 digits. A key expires once its bucket is full again, so
/// idle keys cost Redis nothing. Scripts that read TIME and then write need effects replication (Redis ≥ 5's default).
/// </remarks>
internal static class GlobalLimitScripts
{
    /// <summary>
    /// Exact mode, one call per decision. KEYS[1] the key; ARGV cost, interval µs, capacity µs (burst × interval).
    /// Returns {allowed 1|0, debt µs after the decision, retry-after µs (0 when allowed)}.
    /// </summary>
    public static readonly RedisScript Acquire = new("""
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local cost = tonumber(ARGV[1])
        local interval = tonumber(ARGV[2])
        local capacity = tonumber(ARGV[3])
        local tat = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
        if tat < now then tat = now end
        local candidate = tat + cost * interval
        local allow_at = candidate - capacity
        if allow_at <= now then
          if candidate > now then
            redis.call('SET', KEYS[1], string.format('%.0f', candidate), 'PX', math.floor((candidate - now) / 1000) + 1)
          end
          return {1, candidate - now, 0}
        end
        return {0, tat - now, allow_at - now}
        """);

    /// <summary>
    /// Approximate mode, one call per key per sync round. KEYS[1] the key; ARGV permits this node spent since its last
    /// sync (0: only read), interval µs, capacity µs. The spent permits are charged (never beyond an empty bucket, so
    /// remote traffic cannot lock a key out longer than the burst takes to refill). Returns the debt in µs.
    /// </summary>
    public static readonly RedisScript Charge = new("""
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local spent = tonumber(ARGV[1])
        local interval = tonumber(ARGV[2])
        local capacity = tonumber(ARGV[3])
        local tat = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
        if tat < now then tat = now end
        if spent > 0 then
          local charged = tat + spent * interval
          if charged > now + capacity then charged = now + capacity end
          if charged > tat then
            tat = charged
            redis.call('SET', KEYS[1], string.format('%.0f', tat), 'PX', math.floor((tat - now) / 1000) + 1)
          end
        end
        return tat - now
        """);

    /// <summary>
    /// Quotas, one call per key and window per sync round. KEYS[1] the key's counter for one window; ARGV requests
    /// this node counted since its last sync (0: only read), and the milliseconds the counter must outlive its window.
    /// Returns the fleet's total for the window.
    /// </summary>
    public static readonly RedisScript CountQuota = new("""
        local total = redis.call('INCRBY', KEYS[1], ARGV[1])
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        return total
        """);
}
