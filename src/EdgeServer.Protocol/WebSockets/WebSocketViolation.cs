namespace EdgeServer.Protocol.WebSockets;

/// <summary>Why a WebSocket byte stream was refused. Each maps to the close code to send (see <see cref="WebSocketViolations"/>).</summary>
public enum WebSocketViolation : byte
{
    None = 0,
    // 1002 protocol error
    /// <summary>A 16- or 64-bit length that would have fitted a shorter encoding (RFC 6455 §5.2: the minimal encoding MUST be used).</summary>
    NonMinimalLength,
    /// <summary>A 64-bit length with its most significant bit set.</summary>
    LengthOverflow,
    ReservedOpcode,
    /// <summary>RSV bits that no negotiated extension defines.</summary>
    ReservedBitsSet,
    /// <summary>RSV1 (compressed) on a control frame or a continuation frame under permessage-deflate (RFC 7692 §6.1).</summary>
    MisplacedCompressionBit,
    /// <summary>A client frame without a mask (RFC 6455 §5.1).</summary>
    UnmaskedClientFrame,
    /// <summary>A server frame with a mask (RFC 6455 §5.1).</summary>
    MaskedServerFrame,
    /// <summary>A control frame with more than 125 payload bytes.</summary>
    ControlFrameTooLong,
    /// <summary>A control frame without FIN.</summary>
    FragmentedControlFrame,
    /// <summary>A continuation frame with no unfinished data message to continue.</summary>
    UnexpectedContinuation,
    /// <summary>A new text or binary frame while a fragmented message is unfinished.</summary>
    ExpectedContinuation,
    /// <summary>A close frame with a 1-byte payload.</summary>
    InvalidClosePayload,
    /// <summary>A close code that may not be sent on the wire (1004-1006, 1015, unassigned ranges).</summary>
    InvalidCloseCode,
    /// <summary>A data frame after a close frame from the same peer.</summary>
    FrameAfterClose,
    // 1007 invalid frame payload data
    InvalidUtf8Text,
    InvalidUtf8CloseReason,
    // 1009 message too big
    FrameTooBig,
    MessageTooBig,
    // 1008 policy violation
    /// <summary>The events handler refused a frame (for example a message-rate limit).</summary>
    RefusedByHandler,
}

/// <summary>Close code and a short, stable, human-readable reason for every violation.</summary>
public static class WebSocketViolations
{
    public static ushort CloseCode(WebSocketViolation violation) => violation switch
    {
        WebSocketViolation.None => WebSocketCloseCodes.NormalClosure,
        WebSocketViolation.InvalidUtf8Text or WebSocketViolation.InvalidUtf8CloseReason => WebSocketCloseCodes.InvalidPayloadData,
        WebSocketViolation.FrameTooBig or WebSocketViolation.MessageTooBig => WebSocketCloseCodes.MessageTooBig,
        WebSocketViolation.RefusedByHandler => WebSocketCloseCodes.PolicyViolation,
        _ => WebSocketCloseCodes.ProtocolError,
    };

    public static string Reason(WebSocketViolation violation) => violation switch
    {
        WebSocketViolation.None => "ok",
        WebSocketViolation.NonMinimalLength => "payload length not minimally encoded",
        WebSocketViolation.LengthOverflow => "64-bit payload length with the high bit set",
        WebSocketViolation.ReservedOpcode => "reserved opcode",
        WebSocketViolation.ReservedBitsSet => "reserved bits set without an extension",
        WebSocketViolation.MisplacedCompressionBit => "compression bit on a control or continuation frame",
        WebSocketViolation.UnmaskedClientFrame => "client frame not masked",
        WebSocketViolation.MaskedServerFrame => "server frame masked",
        WebSocketViolation.ControlFrameTooLong => "control frame longer than 125 bytes",
        WebSocketViolation.FragmentedControlFrame => "fragmented control frame",
        WebSocketViolation.UnexpectedContinuation => "continuation frame without a message",
        WebSocketViolation.ExpectedContinuation => "new message before the previous one ended",
        WebSocketViolation.InvalidClosePayload => "close frame with a 1-byte payload",
        WebSocketViolation.InvalidCloseCode => "invalid close code",
        WebSocketViolation.FrameAfterClose => "data frame after close",
        WebSocketViolation.InvalidUtf8Text => "text message is not valid UTF-8",
        WebSocketViolation.InvalidUtf8CloseReason => "close reason is not valid UTF-8",
        WebSocketViolation.FrameTooBig => "frame too big",
        WebSocketViolation.MessageTooBig => "message too big",
        WebSocketViolation.RefusedByHandler => "refused by policy",
        _ => "protocol error",
    };
}
