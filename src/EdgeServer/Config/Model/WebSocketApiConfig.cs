namespace EdgeServer.Config.Model;

/// <summary>
/// A route that is a WebSocket API (`routes[].webSocketApi`), modelled on AWS API Gateway WebSocket APIs: the edge
/// terminates the WebSocket, gives each connection an id, and calls HTTP backends for the route keys $connect,
/// $disconnect, $default and custom keys picked from each message by <see cref="RouteSelection"/>. Backends push to
/// clients through the admin listener's /@connections/{id}.
/// </summary>
public sealed record WebSocketApiConfig
{
    public const string Connect = "$connect";
    public const string Disconnect = "$disconnect";
    public const string Default = "$default";

    /// <summary>128 KiB per message, API Gateway's own limit: the edge holds each message whole until the backend has
    /// it, so this times <see cref="DefaultMaxQueuedMessages"/> is what one connection can pin.</summary>
    public const long DefaultMaxMessageBytes = 128 * 1024;

    /// <summary>32 KiB per frame, API Gateway's frame limit; longer messages arrive in several frames.</summary>
    public const long DefaultMaxFrameBytes = 32 * 1024;

    /// <summary>10 minutes, API Gateway's idle timeout: an API connection is often quiet between pushes.</summary>
    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromMinutes(10);

    /// <summary>10 s per backend call: an integration that takes longer makes the client's message wait behind it
    /// (one call in flight per connection), so it should fail soon and be seen.</summary>
    public static readonly TimeSpan DefaultBackendTimeout = TimeSpan.FromSeconds(10);

    /// <summary>16 messages waiting for the backend per connection: messages of a connection reach the backend one at
    /// a time and in order; a client that outruns its backend by more is closed with 1008 rather than buffered.</summary>
    public const int DefaultMaxQueuedMessages = 16;

    /// <summary>Null: every message goes to $default.</summary>
    public string? RouteSelection { get; init; }

    /// <summary>Route keys in config order: $connect, $disconnect, $default and custom keys.</summary>
    public IReadOnlyList<WebSocketApiRouteKeyConfig> Routes { get; init; } = [];

    /// <summary>Null: the route's own cluster.</summary>
    public string? Cluster { get; init; }
    public TimeSpan BackendTimeout { get; init; } = DefaultBackendTimeout;
    public int MaxQueuedMessages { get; init; } = DefaultMaxQueuedMessages;

    /// <summary>Frame and message sizes, message rate, idle timeout, pings, per-address connections: the relay's
    /// settings record (always Enabled), with this API's defaults.</summary>
    public WebSocketConfig Limits { get; init; } = new()
    {
        Enabled = true,
        MaxFrameBytes = DefaultMaxFrameBytes,
        MaxMessageBytes = DefaultMaxMessageBytes,
        IdleTimeout = DefaultIdleTimeout,
    };
    public SourceMark Mark { get; init; }
    public SourceMark ClusterMark { get; init; }
}

/// <summary>One route key: the backend path it is POSTed to, and whether the backend's answer goes back to the client.</summary>
public sealed record WebSocketApiRouteKeyConfig
{
    public required string Key { get; init; }
    public required string Path { get; init; }
    /// <summary>Two-way: a 2xx answer with a body is sent to the client as a message. Never for $connect and $disconnect.</summary>
    public bool Reply { get; init; }
    public SourceMark Mark { get; init; }
}
