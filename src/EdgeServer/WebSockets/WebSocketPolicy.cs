using EdgeServer.Config.Model;
using EdgeServer.Protocol.WebSockets;
using EdgeServer.RateLimiting;

namespace EdgeServer.WebSockets;

/// <summary>
/// A route's WebSocket settings compiled once per config snapshot: inspector options per direction, the message
/// rate, timeouts in milliseconds, and the route's per-address and per-key connection counters (which outlive the
/// snapshot, so a reload neither forgets who is connected nor drops anyone).
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

    /// <summary>
    /// The identity maxConnectionsPerKey counts a connection under: the API key the request authenticated with (set
    /// only on routes that require one), else the verified client certificate; null: neither (not counted; the
    /// config refuses the limit on routes that require neither).
    /// </summary>
    public static string? KeyOf(EdgeServer.Connections.ClientConnection connection) =>
        connection.ApiKey?.IdText ?? connection.Identity?.Sha256;

    /// <summary>
    /// Takes a slot of maxConnectionsPerKey for the connection's identity. True with <paramref name="key"/> set: release
    /// it when the connection ends; true with null: nothing was taken (no limit, or no identity); false: over the limit.
    /// </summary>
    public bool TryAdmitKey(EdgeServer.Connections.ClientConnection connection, out string? key)
    {
        key = null;
        if (Config.MaxConnectionsPerKey is not { } max || KeyOf(connection) is not { } identity) return true;
        if (!State.PerKey.TryAdmit(identity, max)) return false;
        key = identity;
        return true;
    }

    public void ReleaseKey(string? key)
    {
        if (key is not null) State.PerKey.Release(key);
    }

    public MessageRateLimiter NewMessageLimiter() => new(Config.MessagesPerSecond, Config.MessagesBurst);
}
