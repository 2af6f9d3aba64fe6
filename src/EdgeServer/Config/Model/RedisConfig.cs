namespace EdgeServer.Config.Model;

/// <summary>What the data path does when Redis cannot answer within its timeout.</summary>
public enum RedisFailPolicy
{
    /// <summary>Decide on the local limiter alone (availability first; the fleet may briefly exceed a global limit).</summary>
    Open,
    /// <summary>Refuse with 429/503 (a global limit is never exceeded; Redis is then on the critical path).</summary>
    Closed,
}

/// <summary>How global limits use Redis.</summary>
public enum GlobalLimitMode
{
    /// <summary>One atomic Lua script per decision: exact across the fleet, one Redis round trip per request.</summary>
    Exact,
    /// <summary>Local lock-free decisions; consumption is pushed to Redis and the fleet's total pulled back every sync interval.</summary>
    Approximate,
}

/// <summary>The Redis server that global rate limits and quotas share across edge nodes.</summary>
public sealed record RedisConfig
{
    public required DnsOrIpEndPoint Address { get; init; }
    /// <summary>AUTH password; a secret (never shown by /config).</summary>
    public string? Password { get; init; }
    public int Database { get; init; }
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>The longest the data path waits for one Redis answer.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMilliseconds(5);
    public RedisFailPolicy FailPolicy { get; init; } = RedisFailPolicy.Open;
    public GlobalLimitMode Mode { get; init; } = GlobalLimitMode.Approximate;
    /// <summary>Approximate mode: how often local consumption is pushed and the fleet total pulled.</summary>
    public TimeSpan SyncInterval { get; init; } = TimeSpan.FromMilliseconds(100);
    /// <summary>Prefix of every key the edge writes, so several fleets can share one Redis.</summary>
    public string KeyPrefix { get; init; } = "edge:";
    public SourceMark Mark { get; init; }
}
