namespace EdgeServer.Protocol.WebSockets;

/// <summary>Which end of the connection sends the frames being inspected: client frames are masked, server frames not.</summary>
public enum WebSocketPeer : byte
{
    Client = 0,
    Server,
}

/// <summary>
/// What one direction of one connection allows, fixed at the handshake: who sends, whether permessage-deflate was
/// negotiated, whether text is checked for UTF-8, and the size limits (payload bytes as on the wire; under
/// permessage-deflate those are compressed sizes, the only ones a relay can see).
/// </summary>
public readonly record struct WebSocketInspectorOptions(
    WebSocketPeer Sender,
    bool PerMessageDeflate = false,
    bool ValidateUtf8 = true,
    long MaxFramePayloadBytes = WebSocketInspectorOptions.DefaultMaxFramePayloadBytes,
    long MaxMessageBytes = WebSocketInspectorOptions.DefaultMaxMessageBytes)
{
    /// <summary>16 MiB per frame: far above what browsers and libraries send (they fragment at 4-64 KiB), low enough to stop a 2^63 length.</summary>
    public const long DefaultMaxFramePayloadBytes = 16 * 1024 * 1024;

    /// <summary>16 MiB per message: a whole message may have to be buffered by whoever terminates it.</summary>
    public const long DefaultMaxMessageBytes = 16 * 1024 * 1024;

    public static WebSocketInspectorOptions FromClient => new(WebSocketPeer.Client);
    public static WebSocketInspectorOptions FromServer => new(WebSocketPeer.Server);
}
