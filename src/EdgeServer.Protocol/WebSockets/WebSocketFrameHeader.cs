namespace EdgeServer.Protocol.WebSockets;

/// <summary>
/// One frame's header (RFC 6455 §5.2) as parsed from the wire; a plain value so parsing allocates nothing and
/// the relay can hand it to metrics and limiters as is.
/// </summary>
public readonly struct WebSocketFrameHeader
{
    /// <summary>RSV1: set by permessage-deflate on the first frame of a compressed message (RFC 7692 §6).</summary>
    public const byte Rsv1 = 0x4;
    public const byte Rsv2 = 0x2;
    public const byte Rsv3 = 0x1;

    public WebSocketFrameHeader(bool fin, byte rsv, WebSocketOpcode opcode, bool masked, long payloadLength, uint maskKey, int headerLength)
    {
        Fin = fin;
        Rsv = rsv;
        Opcode = opcode;
        Masked = masked;
        PayloadLength = payloadLength;
        MaskKey = maskKey;
        HeaderLength = headerLength;
    }

    public bool Fin { get; }

    /// <summary>The three reserved bits as RSV1 RSV2 RSV3 = 0b100, 0b010, 0b001 (see <see cref="Rsv1"/>).</summary>
    public byte Rsv { get; }

    /// <summary>The raw 4-bit opcode; it may be a reserved value that <see cref="WebSocketOpcodes.IsDefined"/> refuses.</summary>
    public WebSocketOpcode Opcode { get; }

    public bool Masked { get; }

    public long PayloadLength { get; }

    /// <summary>The masking key with the first key byte on the wire in the most significant byte (big-endian); 0 when unmasked.</summary>
    public uint MaskKey { get; }

    /// <summary>Bytes of the header: 2 + 0/2/8 length bytes + 0/4 key bytes, so 2 to 14.</summary>
    public int HeaderLength { get; }

    public long FrameLength => HeaderLength + PayloadLength;
}
