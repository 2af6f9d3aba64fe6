using EdgeServer.RateLimiting;

namespace EdgeServer.WebSockets;

/// <summary>What a WebSocket route keeps across reloads: its metric cells and who (address, key) has connections open on it.</summary>
internal sealed class WebSocketRouteState(string route)
{
    public string Route => route;
    public WebSocketMetrics Metrics { get; } = new(route);

    /// <summary>Open WebSocket connections per client address (the listener's per-IP limiter, reused per route).</summary>
    public ConnectionLimiter PerAddress { get; } = new(route, TimeProvider.System);

    /// <summary>Open WebSocket connections per API key or client certificate (maxConnectionsPerKey).</summary>
    public ConnectionsPerKey PerKey { get; } = new();
}
