namespace EdgeServer.Protocol.WebSockets;

/// <summary>Why an opening handshake (RFC 6455 §4) was refused; each maps to the status the edge answers with.</summary>
public enum WebSocketHandshakeError : byte
{
    None = 0,
    // the client's request: 400
    MethodNotGet,
    NotHttp11,
    /// <summary>Upgrade does not list the "websocket" token.</summary>
    NotWebSocketUpgrade,
    /// <summary>Connection does not list the "upgrade" token.</summary>
    MissingConnectionUpgrade,
    MissingKey,
    /// <summary>Sec-WebSocket-Key is not the base64 of exactly 16 bytes.</summary>
    InvalidKey,
    DuplicateKey,
    // the client's request: 426 with Sec-WebSocket-Version: 13
    UnsupportedVersion,
    // the backend's answer: the edge answers 502
    NotSwitchingProtocols,
    ResponseNotWebSocketUpgrade,
    ResponseMissingConnectionUpgrade,
    /// <summary>Missing, repeated or wrong Sec-WebSocket-Accept.</summary>
    InvalidAccept,
    /// <summary>An extension other than permessage-deflate, one the client did not offer, or a malformed list.</summary>
    UnsupportedExtension,
    /// <summary>A subprotocol the client did not offer, or more than one.</summary>
    UnexpectedSubprotocol,
}

/// <summary>Status code and a short, stable reason for every handshake error.</summary>
public static class WebSocketHandshakeErrors
{
    public static int StatusCode(WebSocketHandshakeError error) => error switch
    {
        WebSocketHandshakeError.None => 101,
        WebSocketHandshakeError.UnsupportedVersion => 426,
        >= WebSocketHandshakeError.NotSwitchingProtocols => 502,
        _ => 400,
    };

    public static string Reason(WebSocketHandshakeError error) => error switch
    {
        WebSocketHandshakeError.None => "ok",
        WebSocketHandshakeError.MethodNotGet => "WebSocket handshake must use GET",
        WebSocketHandshakeError.NotHttp11 => "WebSocket handshake must use HTTP/1.1",
        WebSocketHandshakeError.NotWebSocketUpgrade => "Upgrade does not list websocket",
        WebSocketHandshakeError.MissingConnectionUpgrade => "Connection does not list upgrade",
        WebSocketHandshakeError.MissingKey => "missing Sec-WebSocket-Key",
        WebSocketHandshakeError.InvalidKey => "invalid Sec-WebSocket-Key",
        WebSocketHandshakeError.DuplicateKey => "more than one Sec-WebSocket-Key",
        WebSocketHandshakeError.UnsupportedVersion => "unsupported Sec-WebSocket-Version",
        WebSocketHandshakeError.NotSwitchingProtocols => "upstream did not switch protocols",
        WebSocketHandshakeError.ResponseNotWebSocketUpgrade => "upstream upgrade is not websocket",
        WebSocketHandshakeError.ResponseMissingConnectionUpgrade => "upstream Connection does not list upgrade",
        WebSocketHandshakeError.InvalidAccept => "upstream Sec-WebSocket-Accept is wrong",
        WebSocketHandshakeError.UnsupportedExtension => "upstream accepted an unsupported extension",
        WebSocketHandshakeError.UnexpectedSubprotocol => "upstream chose a subprotocol that was not offered",
        _ => "bad WebSocket handshake",
    };
}
