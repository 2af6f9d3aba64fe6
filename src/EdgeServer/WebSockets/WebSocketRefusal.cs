namespace EdgeServer.WebSockets;

/// <summary>Why an upgrade request was not relayed as a WebSocket; the label of edge_websocket_upgrades_refused_total.</summary>
internal enum WebSocketRefusal : byte
{
    /// <summary>A WebSocket handshake on a route without websocket.enabled: 400.</summary>
    NotEnabled,
    /// <summary>The client's handshake broke RFC 6455 §4.2.1: 400.</summary>
    BadHandshake,
    /// <summary>Sec-WebSocket-Version other than 13: 426.</summary>
    UnsupportedVersion,
    /// <summary>The route's maxConnectionsPerIp was reached: 429.</summary>
    PerIpLimit,
    /// <summary>An upgrade to something else (h2c...): forwarded as plain HTTP with Upgrade removed.</summary>
    OtherProtocol,
    /// <summary>The backend did not switch protocols: its answer was relayed, or it failed (the edge answered 502/503/504).</summary>
    BackendDeclined,
    /// <summary>The backend's 101 was wrong (accept value, extension, subprotocol): 502.</summary>
    BadBackendHandshake,
    /// <summary>The route's maxConnectionsPerKey was reached for the request's API key (or client certificate): 429.</summary>
    PerKeyLimit,
}

internal static class WebSocketRefusals
{
    public const int Count = (int)WebSocketRefusal.PerKeyLimit + 1;

    public static string Label(WebSocketRefusal refusal) => refusal switch
    {
        WebSocketRefusal.NotEnabled => "not_enabled",
        WebSocketRefusal.BadHandshake => "bad_handshake",
        WebSocketRefusal.UnsupportedVersion => "unsupported_version",
        WebSocketRefusal.PerIpLimit => "per_ip_limit",
        WebSocketRefusal.OtherProtocol => "other_protocol",
        WebSocketRefusal.BackendDeclined => "backend_declined",
        WebSocketRefusal.PerKeyLimit => "per_key_limit",
        _ => "bad_backend_handshake",
    };
}
