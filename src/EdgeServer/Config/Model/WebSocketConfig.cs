namespace EdgeServer.Config.Model;

/// <summary>
/// A route's WebSocket relay settings (`routes[].websocket`). A route without them (or with enabled: false) refuses
/// WebSocket handshakes with 400; every limit has a named default with its reason.
/// </summary>
public sealed record WebSocketConfig
{
    /// <summary>1 MiB per frame: libraries fragment at 4-64 KiB (browsers send one frame per message, and chat or
    /// trading messages are far smaller); a relay that lets 16 MiB frames through lets one client pin that much in
    /// whatever terminates the connection.</summary>
    public const long DefaultMaxFrameBytes = 1024 * 1024;

    /// <summary>4 MiB per message: a terminating backend buffers a whole message; a few frames' worth.</summary>
    public const long DefaultMaxMessageBytes = 4 * 1024 * 1024;

    /// <summary>Messages per second each connection may send; null: not limited.</summary>
    public const int DefaultMessagesPerSecond = 0;

    /// <summary>5 minutes without a byte from a peer (pings unanswered included): the peer is gone or the
    /// connection useless. Longer than any sane application heartbeat, shorter than a NAT's forgetting.</summary>
    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromMinutes(5);

    /// <summary>30 s of silence from a peer before the edge pings it: below the 60 s idle timeouts of common
    /// load balancers and NATs, so a quiet but healthy connection is never cut by something in between.</summary>
    public static readonly TimeSpan DefaultPingInterval = TimeSpan.FromSeconds(30);

    public bool Enabled { get; init; }
    public long MaxFrameBytes { get; init; } = DefaultMaxFrameBytes;
    public long MaxMessageBytes { get; init; } = DefaultMaxMessageBytes;
    /// <summary>Sustained messages per second from the client (0: unlimited); refused beyond: close 1008.</summary>
    public int MessagesPerSecond { get; init; } = DefaultMessagesPerSecond;
    /// <summary>Messages the client may send at once before the sustained rate applies; 0: as many as one second's rate.</summary>
    public int MessagesBurst { get; init; }
    public TimeSpan IdleTimeout { get; init; } = DefaultIdleTimeout;
    /// <summary>Zero: the edge never pings, and idleTimeout is plain inactivity.</summary>
    public TimeSpan PingInterval { get; init; } = DefaultPingInterval;
    /// <summary>Open WebSocket connections per client address on this route; null: no limit.</summary>
    public int? MaxConnectionsPerIp { get; init; }
    /// <summary>
    /// Open WebSocket connections per client identity on this route: the API key (its id) when the route requires
    /// one, else the verified client certificate (its SHA-256); null: no limit. A route setting it must require one
    /// of the two, so every connection it admits has an identity to count.
    /// </summary>
    public int? MaxConnectionsPerKey { get; init; }
    /// <summary>Where maxConnectionsPerKey was set, for the route-level check that an identity is required.</summary>
    public SourceMark MaxConnectionsPerKeyMark { get; init; }
    public bool ValidateUtf8 { get; init; } = true;
    public SourceMark Mark { get; init; }
}
