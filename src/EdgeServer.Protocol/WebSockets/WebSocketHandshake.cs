using EdgeServer.Protocol.Http1;

namespace EdgeServer.Protocol.WebSockets;

/// <summary>
/// Judges the two halves of an opening handshake from parsed heads: the client's upgrade request
/// (RFC 6455 §4.2.1) before it is forwarded, and the backend's 101 answer (§4.1) before the relay switches
/// to frames. Allocation-free: fields are read as spans of the heads' buffers.
/// </summary>
/// <remarks>
/// A request is recognised as a WebSocket handshake by <see cref="IsWebSocketRequest"/> (an Upgrade field naming
/// websocket); any other upgrade (h2c and the rest) is the caller's to refuse. A refused request is answered with
/// <see cref="WebSocketHandshakeErrors.StatusCode"/>: 400, or 426 with <see cref="VersionHeaderLine"/>.
/// </remarks>
public static class WebSocketHandshake
{
    /// <summary>The header line a 426 answer carries (RFC 6455 §4.4).</summary>
    public static ReadOnlySpan<byte> VersionHeaderLine => "Sec-WebSocket-Version: 13\r\n"u8;

    public static bool IsWebSocketRequest(RequestHead request)
    {
        ArgumentNullException.ThrowIfNull(request);
        foreach (ref readonly var field in request.Fields)
        {
            if (field.Known == KnownHeader.Upgrade && WebSocketHeaderTokens.IsWebSocketUpgrade(request.Value(field))) return true;
        }
        return false;
    }

    /// <summary>Validates a client's handshake. <paramref name="keyIndex"/> is the Sec-WebSocket-Key field's index when valid.</summary>
    public static WebSocketHandshakeError ValidateRequest(RequestHead request, out int keyIndex)
    {
        ArgumentNullException.ThrowIfNull(request);
        keyIndex = -1;
        var versionIndex = -1;
        var versionCount = 0;
        var upgrade = false;
        var fields = request.Fields;
        for (var i = 0; i < fields.Length; i++)
        {
            switch (fields[i].Known)
            {
                case KnownHeader.Upgrade:
                    upgrade |= WebSocketHeaderTokens.IsWebSocketUpgrade(request.Value(i));
                    break;
                case KnownHeader.SecWebSocketKey:
                    if (keyIndex >= 0) return WebSocketHandshakeError.DuplicateKey;
                    keyIndex = i;
                    break;
                case KnownHeader.SecWebSocketVersion:
                    versionIndex = i;
                    versionCount++;
                    break;
            }
        }
        var error = ValidateRequest(request.Method, request.Version, upgrade, request.ConnectionUpgrade,
            keyIndex < 0 ? default : request.Value(keyIndex), keyIndex >= 0,
            versionCount == 1 ? request.Value(versionIndex) : default);
        if (error != WebSocketHandshakeError.None) keyIndex = -1;
        return error;
    }

    /// <summary>
    /// The same from values already extracted: whether Upgrade lists websocket and Connection lists upgrade, the
    /// key's value, and the (single) version value. Rules are checked in the RFC's order.
    /// </summary>
    public static WebSocketHandshakeError ValidateRequest(KnownMethod method, HttpVersion version, bool upgradeWebSocket,
        bool connectionUpgrade, ReadOnlySpan<byte> key, bool hasKey, ReadOnlySpan<byte> webSocketVersion)
    {
        if (method != KnownMethod.Get) return WebSocketHandshakeError.MethodNotGet;
        if (version != HttpVersion.Http11) return WebSocketHandshakeError.NotHttp11;
        if (!upgradeWebSocket) return WebSocketHandshakeError.NotWebSocketUpgrade;
        if (!connectionUpgrade) return WebSocketHandshakeError.MissingConnectionUpgrade;
        if (!hasKey) return WebSocketHandshakeError.MissingKey;
        if (!WebSocketAccept.IsValidKey(key)) return WebSocketHandshakeError.InvalidKey;
        if (!webSocketVersion.SequenceEqual("13"u8)) return WebSocketHandshakeError.UnsupportedVersion;
        return WebSocketHandshakeError.None;
    }

    /// <summary>
    /// Validates a backend's answer to a request that passed <see cref="ValidateRequest(RequestHead, out int)"/>:
    /// 101, Upgrade websocket, Connection upgrade, the right Sec-WebSocket-Accept, at most permessage-deflate as
    /// extension and only if offered, at most one subprotocol and only one offered.
    /// </summary>
    public static WebSocketHandshakeError ValidateResponse(RequestHead request, ResponseHead response, out bool perMessageDeflate)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);
        perMessageDeflate = false;
        if (response.StatusCode != 101) return WebSocketHandshakeError.NotSwitchingProtocols;

        var upgrade = false;
        var acceptIndex = -1;
        var deflate = 0;
        var protocolIndex = -1;
        var fields = response.Fields;
        for (var i = 0; i < fields.Length; i++)
        {
            switch (fields[i].Known)
            {
                case KnownHeader.Upgrade:
                    upgrade |= WebSocketHeaderTokens.IsWebSocketUpgrade(response.Value(i));
                    break;
                case KnownHeader.SecWebSocketAccept:
                    if (acceptIndex >= 0) return WebSocketHandshakeError.InvalidAccept;
                    acceptIndex = i;
                    break;
                case KnownHeader.SecWebSocketExtensions:
                    if (!WebSocketExtensions.TryCount(response.Value(i), out var d, out var others) || others > 0) return WebSocketHandshakeError.UnsupportedExtension;
                    deflate += d;
                    break;
                case KnownHeader.SecWebSocketProtocol:
                    if (protocolIndex >= 0) return WebSocketHandshakeError.UnexpectedSubprotocol;
                    protocolIndex = i;
                    break;
            }
        }
        if (!upgrade) return WebSocketHandshakeError.ResponseNotWebSocketUpgrade;
        if (!response.ConnectionUpgrade) return WebSocketHandshakeError.ResponseMissingConnectionUpgrade;

        var keyIndex = request.IndexOf(KnownHeader.SecWebSocketKey);
        if (keyIndex < 0 || acceptIndex < 0 || !WebSocketAccept.Verify(request.Value(keyIndex), response.Value(acceptIndex)))
        {
            return WebSocketHandshakeError.InvalidAccept;
        }
        if (deflate > 1 || (deflate == 1 && !Offered(request, KnownHeader.SecWebSocketExtensions))) return WebSocketHandshakeError.UnsupportedExtension;
        if (protocolIndex >= 0 && !Offered(request, KnownHeader.SecWebSocketProtocol, response.Value(protocolIndex))) return WebSocketHandshakeError.UnexpectedSubprotocol;

        perMessageDeflate = deflate == 1;
        return WebSocketHandshakeError.None;
    }

    /// <summary>Whether the client offered permessage-deflate (extensions), or this subprotocol (protocols).</summary>
    private static bool Offered(RequestHead request, KnownHeader field, ReadOnlySpan<byte> protocol = default)
    {
        var fields = request.Fields;
        for (var i = 0; i < fields.Length; i++)
        {
            if (fields[i].Known != field) continue;
            var value = request.Value(i);
            if (field == KnownHeader.SecWebSocketProtocol)
            {
                if (WebSocketHeaderTokens.Contains(value, HttpChars.TrimWhitespace(protocol))) return true;
            }
            else if (WebSocketExtensions.TryCount(value, out var deflate, out _) && deflate > 0)
            {
                return true;
            }
        }
        return false;
    }
}
