using System.Buffers.Binary;

namespace EdgeServer.Protocol.WebSockets;

/// <summary>
/// Parses one frame header (RFC 6455 §5.2) from the start of a buffer. Pure and stateless: a prefix of a header
/// is NeedMoreData and the caller offers it again with more bytes, exactly like the HTTP head parsers.
/// </summary>
/// <remarks>
/// Only the encoding is judged here (minimal lengths, the 64-bit high bit); which opcodes, bits and masks a
/// direction allows is the <see cref="WebSocketFrameInspector"/>'s job, because it depends on the connection.
/// An encoding error is decided as soon as the length bytes are in, never later.
/// </remarks>
public static class WebSocketFrameHeaderParser
{
    /// <summary>The longest header: 2 bytes, a 64-bit length and a 4-byte masking key.</summary>
    public const int MaxHeaderLength = 14;

    public static WebSocketParseStatus TryParse(ReadOnlySpan<byte> data, out WebSocketFrameHeader header, out WebSocketViolation violation)
    {
        header = default;
        violation = WebSocketViolation.None;
        if (data.Length < 2) return WebSocketParseStatus.NeedMoreData;

        var b0 = data[0];
        var b1 = data[1];
        var masked = (b1 & 0x80) != 0;
        var length7 = b1 & 0x7F;
        var lengthBytes = length7 switch { 126 => 2, 127 => 8, _ => 0 };
        var headerLength = 2 + lengthBytes + (masked ? 4 : 0);

        long length = length7;
        if (lengthBytes == 2)
        {
            if (data.Length < 4) return WebSocketParseStatus.NeedMoreData;
            length = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
            if (length < 126) return Fail(WebSocketViolation.NonMinimalLength, out violation);
        }
        else if (lengthBytes == 8)
        {
            if (data.Length < 10) return WebSocketParseStatus.NeedMoreData;
            var wide = BinaryPrimitives.ReadUInt64BigEndian(data[2..]);
            if (wide > long.MaxValue) return Fail(WebSocketViolation.LengthOverflow, out violation);
            if (wide <= ushort.MaxValue) return Fail(WebSocketViolation.NonMinimalLength, out violation);
            length = (long)wide;
        }

        if (data.Length < headerLength) return WebSocketParseStatus.NeedMoreData;
        var key = masked ? BinaryPrimitives.ReadUInt32BigEndian(data[(2 + lengthBytes)..]) : 0u;
        header = new WebSocketFrameHeader(
            fin: (b0 & 0x80) != 0,
            rsv: (byte)((b0 >> 4) & 0x7),
            opcode: (WebSocketOpcode)(b0 & 0xF),
            masked: masked,
            payloadLength: length,
            maskKey: key,
            headerLength: headerLength);
        return WebSocketParseStatus.Complete;
    }

    /// <summary>The same over a sequence: a header split across segments is gathered into 14 stack bytes first.</summary>
    public static WebSocketParseStatus TryParse(in ReadOnlySequence<byte> data, out WebSocketFrameHeader header, out WebSocketViolation violation)
    {
        var first = data.FirstSpan;
        if (first.Length >= MaxHeaderLength || data.IsSingleSegment) return TryParse(first, out header, out violation);
        Span<byte> gathered = stackalloc byte[MaxHeaderLength];
        var length = (int)Math.Min(data.Length, MaxHeaderLength);
        data.Slice(0, length).CopyTo(gathered);
        return TryParse(gathered[..length], out header, out violation);
    }

    private static WebSocketParseStatus Fail(WebSocketViolation reason, out WebSocketViolation violation)
    {
        violation = reason;
        return WebSocketParseStatus.Error;
    }
}
