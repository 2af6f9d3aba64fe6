namespace EdgeServer.Config.Model;

/// <summary>The whole configuration as read from YAML and validated; immutable once loaded.</summary>
public sealed record EdgeConfig
{
    public required string SourceFile { get; init; }
    public required IReadOnlyList<ListenerConfig> Listeners { get; init; }
    public required AdminConfig Admin { get; init; }
    public required LimitsConfig Limits { get; init; }
    public required IReadOnlyList<RouteConfig> Routes { get; init; }
    public required IReadOnlyList<ClusterConfig> Clusters { get; init; }
    public required AccessLogConfig AccessLog { get; init; }
    public required EchoBackendConfig EchoBackend { get; init; }
    public GeoConfig Geo { get; init; } = new();
    /// <summary>Named rate limits; listeners and routes apply them by name.</summary>
    public IReadOnlyList<RateLimitConfig> RateLimits { get; init; } = [];
    /// <summary>Null: no global limits (each node limits alone).</summary>
    public RedisConfig? Redis { get; init; }
    /// <summary>Null: no route may ask for an API key.</summary>
    public ApiKeysConfig? ApiKeys { get; init; }
    public IReadOnlyList<UsagePlanConfig> UsagePlans { get; init; } = [];
}
