using EdgeServer.Config.Model;
using EdgeServer.Protocol.WebSockets;
using EdgeServer.RateLimiting;

namespace EdgeServer.WebSockets;

/// <summary>
/// A route's WebSocket settings compiled once per config snapshot: inspector options per direction, the message
/// rate, timeouts in milliseconds, and the route's per-address connection counter (which outlives the snapshot,
/// so a reload neither forgets who is connected nor drops anyone).
/// </summary>
internal sealed class WebSocketPolicy
{
    public WebSocketPolicy(WebSocketConfig config, WebSocketRouteState state)
    {
        Config = config;
        State = state;
        IdleTimeoutMs = (long)config.IdleTimeout.TotalMilliseconds;
        PingIntervalMs = (long)config.PingInterval.TotalMilliseconds;
        state.PerAddress.Apply(config.MaxConnectionsPerIp is { } max ? new ConnectionLimitsConfig { MaxPerIp = max } : null);
    }

    public WebSocketConfig Config { get; }
    public WebSocketRouteState State { get; }
    public WebSocketMetrics Metrics => State.Metrics;
    public long IdleTimeoutMs { get; }
    /// <summary>0: the edge never pings.</summary>
    public long PingIntervalMs { get; }

    /// <summary>What one direction allows; permessage-deflate is known only once the backend's 101 is read.</summary>
    public WebSocketInspectorOptions Options(WebSocketPeer sender, bool perMessageDeflate) =>
        new(sender, perMessageDeflate, Config.ValidateUtf8, Config.MaxFrameBytes, Config.MaxMessageBytes);

    /// <summary>Takes a slot of maxConnectionsPerIp for this address; false: the address has them all.</summary>
    public bool TryAdmitAddress(ReadOnlySpan<byte> address) => address.IsEmpty || State.PerAddress.TryAdmit(address);

    public void ReleaseAddress(ReadOnlySpan<byte> address)
    {
        if (!address.IsEmpty) State.PerAddress.Release(address);
    }

    public MessageRateLimiter NewMessageLimiter() => new(Config.MessagesPerSecond, Config.MessagesBurst);
}
