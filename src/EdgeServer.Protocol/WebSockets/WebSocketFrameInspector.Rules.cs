namespace EdgeServer.Protocol.WebSockets;

// The rules a frame must pass before any of it is consumed: decided from its first two bytes where possible.
public partial struct WebSocketFrameInspector
{
    /// <summary>Opcode, RSV bits, mask bit, FIN and 7-bit length of control frames, and message sequencing.</summary>
    private readonly WebSocketViolation CheckStart(byte b0, byte b1)
    {
        var opcode = (WebSocketOpcode)(b0 & 0xF);
        if (!WebSocketOpcodes.IsDefined(opcode)) return WebSocketViolation.ReservedOpcode;
        var control = WebSocketOpcodes.IsControl(opcode);

        var rsv = (b0 >> 4) & 0x7;
        if (rsv != 0)
        {
            // permessage-deflate is the only extension we let through, and it defines RSV1 alone.
            if (!_options.PerMessageDeflate || (rsv & ~WebSocketFrameHeader.Rsv1) != 0) return WebSocketViolation.ReservedBitsSet;
            if (control || opcode == WebSocketOpcode.Continuation) return WebSocketViolation.MisplacedCompressionBit;
        }

        var masked = (b1 & 0x80) != 0;
        if (_options.Sender == WebSocketPeer.Client && !masked) return WebSocketViolation.UnmaskedClientFrame;
        if (_options.Sender == WebSocketPeer.Server && masked) return WebSocketViolation.MaskedServerFrame;

        if (control)
        {
            if ((b0 & 0x80) == 0) return WebSocketViolation.FragmentedControlFrame;
            return (b1 & 0x7F) > 125 ? WebSocketViolation.ControlFrameTooLong : WebSocketViolation.None;
        }
        if (opcode == WebSocketOpcode.Continuation) return _inMessage ? WebSocketViolation.None : WebSocketViolation.UnexpectedContinuation;
        return _inMessage ? WebSocketViolation.ExpectedContinuation : WebSocketViolation.None;
    }

    /// <summary>Frame and message size limits of a data frame, judged from its header before its payload arrives.</summary>
    private readonly WebSocketViolation CheckSizes(in WebSocketFrameHeader header)
    {
        if (header.PayloadLength > _options.MaxFramePayloadBytes) return WebSocketViolation.FrameTooBig;
        var before = header.Opcode == WebSocketOpcode.Continuation ? _messageBytes : 0;
        return header.PayloadLength > _options.MaxMessageBytes - before ? WebSocketViolation.MessageTooBig : WebSocketViolation.None;
    }

    /// <summary>Close payload: empty, or a code that may be sent on the wire and a UTF-8 reason (checked whatever ValidateUtf8 says: it is at most 123 bytes).</summary>
    internal static WebSocketViolation CheckClosePayload(ReadOnlySpan<byte> payload, out ushort code)
    {
        code = WebSocketCloseCodes.NoStatusReceived;
        if (payload.IsEmpty) return WebSocketViolation.None;
        if (payload.Length == 1) return WebSocketViolation.InvalidClosePayload;
        code = (ushort)(payload[0] << 8 | payload[1]);
        if (!WebSocketCloseCodes.IsValidOnWire(code)) return WebSocketViolation.InvalidCloseCode;
        return System.Text.Unicode.Utf8.IsValid(payload[2..]) ? WebSocketViolation.None : WebSocketViolation.InvalidUtf8CloseReason;
    }
}
