namespace EdgeServer.Protocol.WebSockets;

/// <summary>
/// What the <see cref="WebSocketFrameInspector"/> tells its caller, frame by frame. Implement it on a struct: the
/// inspector is generic over it, so the calls are direct and inlined and nothing is boxed.
/// </summary>
/// <remarks>
/// Calls come in stream order. A data frame: <see cref="OnFrameStart"/>, then (only if <see cref="WantsPayload"/>)
/// <see cref="OnPayload"/> per piece, then <see cref="OnMessageEnd"/> if it was the message's last frame. A control
/// frame is reported only once all of it has arrived: <see cref="OnFrameStart"/>, then <see cref="OnControlFrame"/>.
/// </remarks>
public interface IWebSocketFrameEvents
{
    /// <summary>Whether <see cref="OnPayload"/> is wanted (a terminating endpoint); a relay says false and payloads are only validated.</summary>
    static abstract bool WantsPayload { get; }

    /// <summary>
    /// A frame's header passed every rule (metrics: opcode, length). Return false to refuse the frame, for example
    /// when a message-rate limit is exceeded: the inspector stops before its first byte with
    /// <see cref="WebSocketViolation.RefusedByHandler"/>.
    /// </summary>
    /// <param name="frameOffset">Offset of the frame's first byte in this direction's stream.</param>
    bool OnFrameStart(in WebSocketFrameHeader header, long frameOffset);

    /// <summary>The next unmasked payload bytes of a data frame (only when <see cref="WantsPayload"/>). The span is valid during the call only.</summary>
    void OnPayload(ReadOnlySpan<byte> payload);

    /// <summary>The last frame of a text or binary message has been inspected in full. Return false to pause after it.</summary>
    /// <param name="messageBytes">Payload bytes of all the message's frames (compressed bytes when <paramref name="compressed"/>).</param>
    bool OnMessageEnd(WebSocketOpcode messageType, long messageBytes, bool compressed);

    /// <summary>
    /// A whole, valid ping, pong or close frame, with its payload unmasked (valid during the call only). For a close,
    /// <paramref name="closeCode"/> is its code (<see cref="WebSocketCloseCodes.NoStatusReceived"/> when it had no
    /// payload) and the reason is <c>payload[2..]</c>; 0 for ping and pong. Return false to pause after it.
    /// </summary>
    bool OnControlFrame(WebSocketOpcode opcode, ReadOnlySpan<byte> payload, ushort closeCode);
}

/// <summary>Events for callers that only want validation: every frame is accepted, nothing is recorded.</summary>
public struct IgnoreWebSocketFrameEvents : IWebSocketFrameEvents
{
    public static bool WantsPayload => false;
    public readonly bool OnFrameStart(in WebSocketFrameHeader header, long frameOffset) => true;
    public readonly void OnPayload(ReadOnlySpan<byte> payload) { }
    public readonly bool OnMessageEnd(WebSocketOpcode messageType, long messageBytes, bool compressed) => true;
    public readonly bool OnControlFrame(WebSocketOpcode opcode, ReadOnlySpan<byte> payload, ushort closeCode) => true;
}
