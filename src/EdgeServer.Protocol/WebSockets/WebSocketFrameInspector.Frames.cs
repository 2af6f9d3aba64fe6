namespace EdgeServer.Protocol.WebSockets;

// One frame at a frame boundary: header, control frames whole, and the start and end of data frames.
public partial struct WebSocketFrameInspector
{
    private FrameOutcome NextFrame<TEvents>(ref SequenceReader<byte> reader, scoped Span<byte> scratch, ref TEvents events)
        where TEvents : IWebSocketFrameEvents
    {
        _frameStart = _position;

        scoped ReadOnlySpan<byte> head = reader.UnreadSpan;
        if (head.Length < WebSocketFrameHeaderParser.MaxHeaderLength && reader.Remaining > head.Length)
        {
            var gathered = scratch[..(int)Math.Min(reader.Remaining, WebSocketFrameHeaderParser.MaxHeaderLength)];
            reader.TryCopyTo(gathered);
            head = gathered;
        }
        if (head.Length >= 2)
        {
            var early = CheckStart(head[0], head[1]);
            if (early != WebSocketViolation.None) return Violate(early);
        }
        var parse = WebSocketFrameHeaderParser.TryParse(head, out var header, out var violation);
        if (parse == WebSocketParseStatus.NeedMoreData) return FrameOutcome.Incomplete;
        if (parse == WebSocketParseStatus.Error) return Violate(violation);

        if (WebSocketOpcodes.IsControl(header.Opcode)) return ControlFrame(ref reader, header, scratch, ref events);
        // RFC 6455 §5.5.1 forbids data after a close; pings and pongs still seen (.NET's keep-alive sends them) are let through.
        if (_closed) return Violate(WebSocketViolation.FrameAfterClose);

        var sizes = CheckSizes(header);
        if (sizes != WebSocketViolation.None) return Violate(sizes);
        if (!events.OnFrameStart(header, _frameStart)) return Violate(WebSocketViolation.RefusedByHandler);

        BeginDataFrame(header);
        reader.Advance(header.HeaderLength);
        _position += header.HeaderLength;
        if (header.PayloadLength > 0) return FrameOutcome.Continue;
        return EndDataFrame(ref events) switch
        {
            WebSocketInspectStatus.NeedMoreData => FrameOutcome.Continue,
            WebSocketInspectStatus.Paused => FrameOutcome.Paused,
            _ => FrameOutcome.Violation,
        };
    }

    /// <summary>A control frame is judged and consumed only once all of it is here (at most 131 bytes).</summary>
    private FrameOutcome ControlFrame<TEvents>(ref SequenceReader<byte> reader, in WebSocketFrameHeader header, scoped Span<byte> scratch, ref TEvents events)
        where TEvents : IWebSocketFrameEvents
    {
        var length = (int)header.FrameLength;
        if (reader.Remaining < length) return FrameOutcome.Incomplete;
        var frame = scratch[..length];
        reader.TryCopyTo(frame);
        var payload = frame[header.HeaderLength..];
        if (header.Masked) WebSocketMasking.Apply(payload, payload, header.MaskKey, 0);

        ushort closeCode = 0;
        if (header.Opcode == WebSocketOpcode.Close)
        {
            var violation = CheckClosePayload(payload, out closeCode);
            if (violation != WebSocketViolation.None) return Violate(violation);
        }
        if (!events.OnFrameStart(header, _frameStart)) return Violate(WebSocketViolation.RefusedByHandler);

        reader.Advance(length);
        _position += length;
        var proceed = events.OnControlFrame(header.Opcode, payload, closeCode);
        if (header.Opcode == WebSocketOpcode.Close)
        {
            _closed = true;
            return FrameOutcome.Closed;
        }
        return proceed ? FrameOutcome.Continue : FrameOutcome.Paused;
    }

    private void BeginDataFrame(in WebSocketFrameHeader header)
    {
        if (header.Opcode != WebSocketOpcode.Continuation)
        {
            _messageType = header.Opcode;
            _messageCompressed = (header.Rsv & WebSocketFrameHeader.Rsv1) != 0;
            _messageBytes = 0;
            _utf8.Reset();
            // Compressed text cannot be judged without inflating it; the endpoint that inflates checks it.
            _checkUtf8 = _options.ValidateUtf8 && header.Opcode == WebSocketOpcode.Text && !_messageCompressed;
        }
        _inMessage = true;
        _frameFin = header.Fin;
        _messageBytes += header.PayloadLength;
        _payloadLeft = header.PayloadLength;
        _masked = header.Masked;
        _maskKey = header.MaskKey;
        _maskOffset = 0;
    }

    /// <summary>NeedMoreData to go on, Paused when the handler asked, Violation for text ending inside a code point.</summary>
    private WebSocketInspectStatus EndDataFrame<TEvents>(ref TEvents events)
        where TEvents : IWebSocketFrameEvents
    {
        if (!_frameFin) return WebSocketInspectStatus.NeedMoreData;
        _inMessage = false;
        if (_checkUtf8 && !_utf8.IsAtBoundary)
        {
            Violate(WebSocketViolation.InvalidUtf8Text);
            return WebSocketInspectStatus.Violation;
        }
        return events.OnMessageEnd(_messageType, _messageBytes, _messageCompressed)
            ? WebSocketInspectStatus.NeedMoreData
            : WebSocketInspectStatus.Paused;
    }

    /// <summary>Validates (and hands over, if wanted) the next payload piece; masked bytes are unmasked a scratch-full at a time.</summary>
    private bool InspectPayload<TEvents>(ReadOnlySpan<byte> piece, scoped Span<byte> scratch, ref TEvents events)
        where TEvents : IWebSocketFrameEvents
    {
        if (!_masked)
        {
            if (_checkUtf8 && !_utf8.Append(piece)) return false;
            if (TEvents.WantsPayload) events.OnPayload(piece);
            return true;
        }
        while (!piece.IsEmpty)
        {
            var plain = scratch[..Math.Min(piece.Length, scratch.Length)];
            _maskOffset = WebSocketMasking.Apply(piece[..plain.Length], plain, _maskKey, _maskOffset);
            if (_checkUtf8 && !_utf8.Append(plain)) return false;
            if (TEvents.WantsPayload) events.OnPayload(plain);
            piece = piece[plain.Length..];
        }
        return true;
    }
}
