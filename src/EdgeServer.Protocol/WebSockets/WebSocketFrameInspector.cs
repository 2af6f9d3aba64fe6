namespace EdgeServer.Protocol.WebSockets;

/// <summary>
/// Validates one direction of a WebSocket connection (RFC 6455, RFC 7692's RSV1 rule) from the raw bytes a relay
/// forwards unchanged: it never unmasks or rewrites the stream, it only looks.
/// </summary>
/// <remarks>
/// <para>Use, per direction (one inspector each, options fixed at the handshake):</para>
/// <code>
/// var status = inspector.Inspect(buffer, ref events, out var consumed);
/// forward(buffer.Slice(0, consumed));                 // exactly these bytes, never more
/// if (status == WebSocketInspectStatus.Violation)   // close both sides with inspector.CloseCode
/// reader.AdvanceTo(buffer.GetPosition(consumed), buffer.End);
/// </code>
/// <para>
/// What is consumed: every complete frame header and every payload byte of a data frame as it arrives (a 1 GiB
/// frame streams through without being held). What is not: a header split across reads (at most 13 bytes) and a
/// control frame (at most 131 bytes) until all of it has arrived, so that every header rule, every close code
/// and close reason is decided before any byte of the frame is forwarded. Offer the unconsumed bytes again with
/// more, as with a PipeReader's AdvanceTo(consumed, examined).
/// </para>
/// <para>
/// On a violation, <c>consumed</c> stops where the offending frame begins, so the receiver has seen whole frames
/// only and the relay can append its own close frame. The exception is text payload that turns out not to be
/// UTF-8 (or a message ending inside a code point): that frame's earlier bytes were already consumed in earlier
/// reads, <see cref="ViolatingFramePartlyForwarded"/> says so, and the receiver can only be disconnected.
/// </para>
/// <para>
/// Zero allocation: state is this struct; masked text is unmasked for validation in 512-byte stack pieces, with
/// the key offset carried across reads. Keep it in a field (it is a mutable struct) and <see cref="Reset"/> it to reuse.
/// </para>
/// </remarks>
public partial struct WebSocketFrameInspector
{
    /// <summary>Stack bytes for unmasking masked payload for validation; at least a whole control payload (125).</summary>
    private const int ScratchBytes = 512;

    private WebSocketInspectorOptions _options;
    private long _position;            // bytes of this direction consumed so far
    private long _frameStart;          // stream offset of the current (or violating) frame
    private long _payloadLeft;         // payload bytes of the current data frame still to come
    private uint _maskKey;
    private int _maskOffset;
    private bool _masked;
    private bool _frameFin;
    private bool _inMessage;           // a data message has begun and its FIN frame has not ended yet
    private WebSocketOpcode _messageType;
    private bool _messageCompressed;
    private bool _checkUtf8;
    private long _messageBytes;
    private bool _closed;
    private Utf8StreamValidator _utf8;

    public WebSocketFrameInspector(in WebSocketInspectorOptions options)
    {
        if (options.MaxFramePayloadBytes <= 0) throw new ArgumentOutOfRangeException(nameof(options), "MaxFramePayloadBytes must be positive");
        if (options.MaxMessageBytes <= 0) throw new ArgumentOutOfRangeException(nameof(options), "MaxMessageBytes must be positive");
        _options = options;
    }

    public readonly WebSocketInspectorOptions Options => _options;

    /// <summary>Bytes of this direction consumed (judged valid) so far.</summary>
    public readonly long Position => _position;

    public WebSocketViolation Violation { get; private set; }

    /// <summary>The close code to send both ways for <see cref="Violation"/> (1002, 1007, 1008 or 1009).</summary>
    public readonly ushort CloseCode => WebSocketViolations.CloseCode(Violation);

    /// <summary>Stream offset of the first byte of the frame that broke a rule.</summary>
    public long ViolationOffset { get; private set; }

    /// <summary>Some bytes of the violating frame were consumed by an earlier call (only for invalid UTF-8 in a data frame).</summary>
    public bool ViolatingFramePartlyForwarded { get; private set; }

    /// <summary>A data message has begun and not ended (the peer owes continuation frames).</summary>
    public readonly bool InMessage => _inMessage;

    /// <summary>A close frame has been consumed; the peer may send no more data frames.</summary>
    public readonly bool IsClosed => _closed;

    /// <summary>
    /// The consumed bytes end between frames (no data frame is half consumed): a relay may insert a control frame of
    /// its own here (a ping, or a close) without corrupting what the receiver has seen. After a violation the
    /// consumed bytes end where the offending frame begins, unless some of it went out in an earlier call.
    /// </summary>
    public readonly bool AtFrameBoundary => Violation != WebSocketViolation.None ? !ViolatingFramePartlyForwarded : _payloadLeft == 0;

    /// <summary>Starts over for a new connection with the same options.</summary>
    public void Reset() => this = new WebSocketFrameInspector(_options);

    /// <summary>Starts over for a new connection with other options.</summary>
    public void Reset(in WebSocketInspectorOptions options) => this = new WebSocketFrameInspector(options);

    /// <summary>Inspects bytes just read from the sender; see the type's remarks for what <paramref name="consumed"/> covers.</summary>
    public WebSocketInspectStatus Inspect<TEvents>(in ReadOnlySequence<byte> input, ref TEvents events, out long consumed)
        where TEvents : IWebSocketFrameEvents
    {
        consumed = 0;
        if (Violation != WebSocketViolation.None) return WebSocketInspectStatus.Violation;
        if (_options.MaxFramePayloadBytes <= 0) throw new InvalidOperationException("the inspector was not created with options");

        var start = _position;
        var reader = new SequenceReader<byte>(input);
        Span<byte> scratch = stackalloc byte[ScratchBytes];
        while (true)
        {
            if (_payloadLeft > 0)
            {
                if (reader.End) break;
                var span = reader.UnreadSpan;
                var take = (int)Math.Min(_payloadLeft, span.Length);
                if ((_checkUtf8 || TEvents.WantsPayload) && !InspectPayload(span[..take], scratch, ref events))
                {
                    return Fail(WebSocketViolation.InvalidUtf8Text, start, out consumed);
                }
                reader.Advance(take);
                _position += take;
                _payloadLeft -= take;
                if (_payloadLeft > 0) continue;
                var outcome = EndDataFrame(ref events);
                if (outcome != WebSocketInspectStatus.NeedMoreData) return Stop(outcome, start, out consumed);
                continue;
            }

            if (reader.End) break;
            var status = NextFrame(ref reader, scratch, ref events);
            if (status == FrameOutcome.Incomplete) break;
            if (status == FrameOutcome.Continue) continue;
            return Stop(status switch
            {
                FrameOutcome.Paused => WebSocketInspectStatus.Paused,
                FrameOutcome.Closed => WebSocketInspectStatus.Closed,
                _ => WebSocketInspectStatus.Violation,
            }, start, out consumed);
        }
        consumed = _position - start;
        return _closed ? WebSocketInspectStatus.Closed : WebSocketInspectStatus.NeedMoreData;
    }

    /// <summary>The same for one contiguous buffer.</summary>
    public WebSocketInspectStatus Inspect<TEvents>(ReadOnlyMemory<byte> input, ref TEvents events, out long consumed)
        where TEvents : IWebSocketFrameEvents
        => Inspect(new ReadOnlySequence<byte>(input), ref events, out consumed);

    private WebSocketInspectStatus Stop(WebSocketInspectStatus status, long start, out long consumed)
    {
        if (status == WebSocketInspectStatus.Violation)
        {
            // Nothing of the offending frame is consumed by this call; what earlier calls consumed is gone.
            ViolatingFramePartlyForwarded = _frameStart < start;
            _position = Math.Max(start, _frameStart);
        }
        consumed = _position - start;
        return status;
    }

    private WebSocketInspectStatus Fail(WebSocketViolation violation, long start, out long consumed)
    {
        Violate(violation);
        return Stop(WebSocketInspectStatus.Violation, start, out consumed);
    }

    private FrameOutcome Violate(WebSocketViolation violation)
    {
        Violation = violation;
        ViolationOffset = _frameStart;
        return FrameOutcome.Violation;
    }

    private enum FrameOutcome : byte
    {
        Continue,
        Incomplete,
        Paused,
        Closed,
        Violation,
    }
}
