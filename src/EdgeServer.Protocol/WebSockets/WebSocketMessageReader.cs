namespace EdgeServer.Protocol.WebSockets;

public enum WebSocketReadStatus : byte
{
    /// <summary>All input up to <c>consumed</c> is taken in; the rest is an unfinished header or control frame to offer again with more.</summary>
    NeedMoreData = 0,
    /// <summary>A whole text or binary message is in the caller's buffer (<see cref="WebSocketMessageReader.MessageType"/>).</summary>
    Message,
    /// <summary>A ping arrived (possibly between a message's fragments); answer with a pong carrying <see cref="WebSocketMessageReader.ControlPayload"/>.</summary>
    Ping,
    Pong,
    /// <summary>The peer closed (<see cref="WebSocketMessageReader.CloseCode"/>, reason in <see cref="WebSocketMessageReader.ControlPayload"/>[2..]).</summary>
    Close,
    /// <summary>A rule was broken; close with <see cref="WebSocketMessageReader.ViolationCloseCode"/>.</summary>
    Violation,
}

/// <summary>
/// Reads whole messages where the edge terminates a WebSocket (the WebSocket API): the same rules as the relay's
/// <see cref="WebSocketFrameInspector"/>, plus unmasking every data payload into the caller's buffer until the
/// message's last frame. One per connection; it allocates nothing after construction.
/// </summary>
/// <remarks>
/// Call <see cref="Read"/> with the bytes received and a buffer for the message being assembled. It stops at the
/// first thing the caller must act on: a whole message (take it from the buffer and clear it before the next call),
/// a ping, pong or close (the message being assembled, if any, stays in the buffer), or a violation. The message
/// size limit is the options' MaxMessageBytes, enforced from each frame's header before its payload is copied.
/// </remarks>
public sealed class WebSocketMessageReader
{
    private readonly byte[] _control = new byte[WebSocketFrameWriter.MaxControlPayload];
    private WebSocketFrameInspector _inspector;
    private int _controlLength;

    /// <param name="options">Usually <see cref="WebSocketInspectorOptions.FromClient"/> with the API's limits.</param>
    public WebSocketMessageReader(in WebSocketInspectorOptions options) => _inspector = new WebSocketFrameInspector(options);

    public WebSocketOpcode MessageType { get; private set; }

    /// <summary>The message was sent compressed (permessage-deflate); the buffer holds the compressed bytes.</summary>
    public bool MessageCompressed { get; private set; }

    public long MessageLength { get; private set; }

    public ushort CloseCode { get; private set; }

    /// <summary>Unmasked payload of the last ping, pong or close.</summary>
    public ReadOnlySpan<byte> ControlPayload => _control.AsSpan(0, _controlLength);

    public WebSocketViolation Violation => _inspector.Violation;

    public ushort ViolationCloseCode => _inspector.CloseCode;

    public void Reset()
    {
        _inspector.Reset();
        _controlLength = 0;
        MessageType = default;
        MessageCompressed = false;
        MessageLength = 0;
        CloseCode = 0;
    }

    public WebSocketReadStatus Read(in ReadOnlySequence<byte> input, IBufferWriter<byte> message, out long consumed)
    {
        ArgumentNullException.ThrowIfNull(message);
        var collector = new Collector(message, _control);
        var status = _inspector.Inspect(input, ref collector, out consumed);
        if (status == WebSocketInspectStatus.Violation) return WebSocketReadStatus.Violation;
        if (status == WebSocketInspectStatus.Closed && collector.Status == WebSocketReadStatus.NeedMoreData) return WebSocketReadStatus.Close;
        if (collector.Status == WebSocketReadStatus.Message)
        {
            MessageType = collector.MessageType;
            MessageCompressed = collector.Compressed;
            MessageLength = collector.MessageLength;
        }
        else if (collector.Status != WebSocketReadStatus.NeedMoreData)
        {
            _controlLength = collector.ControlLength;
            CloseCode = collector.CloseCode;
        }
        return collector.Status;
    }

    /// <summary>Copies payload out and pauses the inspector at every message end and control frame.</summary>
    private struct Collector(IBufferWriter<byte> message, byte[] control) : IWebSocketFrameEvents
    {
        public WebSocketReadStatus Status;
        public WebSocketOpcode MessageType;
        public bool Compressed;
        public long MessageLength;
        public int ControlLength;
        public ushort CloseCode;

        public static bool WantsPayload => true;

        public readonly bool OnFrameStart(in WebSocketFrameHeader header, long frameOffset) => true;

        public readonly void OnPayload(ReadOnlySpan<byte> payload) => message.Write(payload);

        public bool OnMessageEnd(WebSocketOpcode messageType, long messageBytes, bool compressed)
        {
            Status = WebSocketReadStatus.Message;
            MessageType = messageType;
            MessageLength = messageBytes;
            Compressed = compressed;
            return false;
        }

        public bool OnControlFrame(WebSocketOpcode opcode, ReadOnlySpan<byte> payload, ushort closeCode)
        {
            Status = opcode switch
            {
                WebSocketOpcode.Ping => WebSocketReadStatus.Ping,
                WebSocketOpcode.Pong => WebSocketReadStatus.Pong,
                _ => WebSocketReadStatus.Close,
            };
            payload.CopyTo(control);
            ControlLength = payload.Length;
            CloseCode = closeCode;
            return false;
        }
    }
}
