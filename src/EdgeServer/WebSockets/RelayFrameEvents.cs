using EdgeServer.Protocol.WebSockets;

namespace EdgeServer.WebSockets;

/// <summary>
/// What the relay wants from each direction's inspector: a frame count for metrics, the message-rate limit (the
/// client's direction only), and the first close code seen (for the access log and closes_total). A struct the
/// inspector calls directly; it never looks at payloads.
/// </summary>
internal struct RelayFrameEvents : IWebSocketFrameEvents
{
    /// <summary>Frames started since the relay last moved the count to metrics.</summary>
    public long Frames;

    /// <summary>The clock (Stopwatch timestamp) for this read's rate decisions, set before each Inspect.</summary>
    public long Now;

    /// <summary>Data messages begun; a message's first frame is refused (close 1008) when it is over the rate.</summary>
    public MessageRateLimiter Limiter;

    /// <summary>The code of the first close frame this direction sent; 0: none yet.</summary>
    public ushort CloseCode;

    public static bool WantsPayload => false;

    public bool OnFrameStart(in WebSocketFrameHeader header, long frameOffset)
    {
        Frames++;
        return header.Opcode is not (WebSocketOpcode.Text or WebSocketOpcode.Binary) || Limiter.TryAcquire(Now);
    }

    public readonly void OnPayload(ReadOnlySpan<byte> payload) { }

    public readonly bool OnMessageEnd(WebSocketOpcode messageType, long messageBytes, bool compressed) => true;

    public bool OnControlFrame(WebSocketOpcode opcode, ReadOnlySpan<byte> payload, ushort closeCode)
    {
        if (opcode == WebSocketOpcode.Close && CloseCode == 0) CloseCode = closeCode;
        return true;
    }
}
