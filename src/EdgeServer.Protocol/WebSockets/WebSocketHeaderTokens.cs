using EdgeServer.Protocol.Http1;

namespace EdgeServer.Protocol.WebSockets;

/// <summary>Comma-separated token lists (RFC 9110 §5.6.1) as the handshake fields use them: Upgrade, Connection, Sec-WebSocket-Protocol.</summary>
public static class WebSocketHeaderTokens
{
    /// <summary>Whether the list has an element equal to <paramref name="token"/>, ASCII case-insensitive, surrounding whitespace ignored.</summary>
    public static bool Contains(ReadOnlySpan<byte> list, ReadOnlySpan<byte> token)
    {
        while (true)
        {
            var comma = list.IndexOf((byte)',');
            var element = HttpChars.TrimWhitespace(comma < 0 ? list : list[..comma]);
            if (Ascii.EqualsIgnoreCase(element, token)) return true;
            if (comma < 0) return false;
            list = list[(comma + 1)..];
        }
    }

    /// <summary>Whether an Upgrade value names the WebSocket protocol ("websocket", case-insensitive, RFC 6455 §4.2.1).</summary>
    public static bool IsWebSocketUpgrade(ReadOnlySpan<byte> upgrade) => Contains(upgrade, "websocket"u8);
}
