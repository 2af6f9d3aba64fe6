using System.Buffers.Binary;

namespace EdgeServer.Protocol.WebSockets;

/// <summary>
/// Writes the frames the edge sends itself: close frames when it ends a relayed connection, ping and pong for
/// keep-alive, and data frames where it terminates the WebSocket. Always the minimal length encoding; masked
/// toward servers, unmasked toward clients (see <see cref="WebSocketMask"/>).
/// </summary>
public static class WebSocketFrameWriter
{
    /// <summary>Largest payload of a control frame (RFC 6455 §5.5).</summary>
    public const int MaxControlPayload = 125;

    /// <summary>Largest close reason: a control payload less the 2-byte code.</summary>
    public const int MaxCloseReasonBytes = MaxControlPayload - 2;

    public static int GetHeaderLength(long payloadLength, bool masked) =>
        2 + (payloadLength <= 125 ? 0 : payloadLength <= ushort.MaxValue ? 2 : 8) + (masked ? 4 : 0);

    public static long GetFrameLength(long payloadLength, bool masked) => GetHeaderLength(payloadLength, masked) + payloadLength;

    /// <summary>Writes a header; the payload that follows must be masked by the caller if <paramref name="mask"/> says so.</summary>
    /// <returns>Bytes written (2 to 14).</returns>
    public static int WriteHeader(Span<byte> destination, WebSocketOpcode opcode, bool fin, long payloadLength, WebSocketMask mask, bool compressed = false)
    {
        if (!WebSocketOpcodes.IsDefined(opcode)) throw new ArgumentOutOfRangeException(nameof(opcode), "reserved opcode");
        ArgumentOutOfRangeException.ThrowIfNegative(payloadLength);
        if (WebSocketOpcodes.IsControl(opcode))
        {
            if (!fin) throw new ArgumentException("control frames cannot be fragmented", nameof(fin));
            if (payloadLength > MaxControlPayload) throw new ArgumentOutOfRangeException(nameof(payloadLength), "control payloads are at most 125 bytes");
            if (compressed) throw new ArgumentException("control frames cannot be compressed", nameof(compressed));
        }
        var length = GetHeaderLength(payloadLength, mask.IsMasked);
        if (destination.Length < length) throw new ArgumentException("destination too small for the header", nameof(destination));

        destination[0] = (byte)((fin ? 0x80 : 0) | (compressed ? WebSocketFrameHeader.Rsv1 << 4 : 0) | (byte)opcode);
        var maskBit = mask.IsMasked ? 0x80 : 0;
        var at = 2;
        if (payloadLength <= 125)
        {
            destination[1] = (byte)(maskBit | (int)payloadLength);
        }
        else if (payloadLength <= ushort.MaxValue)
        {
            destination[1] = (byte)(maskBit | 126);
            BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)payloadLength);
            at = 4;
        }
        else
        {
            destination[1] = (byte)(maskBit | 127);
            BinaryPrimitives.WriteUInt64BigEndian(destination[2..], (ulong)payloadLength);
            at = 10;
        }
        if (mask.IsMasked) BinaryPrimitives.WriteUInt32BigEndian(destination[at..], mask.Key);
        return length;
    }

    /// <summary>Writes a whole frame into <paramref name="destination"/>; returns its length.</summary>
    public static int WriteFrame(Span<byte> destination, WebSocketOpcode opcode, bool fin, ReadOnlySpan<byte> payload, WebSocketMask mask, bool compressed = false)
    {
        var header = WriteHeader(destination, opcode, fin, payload.Length, mask, compressed);
        if (destination.Length - header < payload.Length) throw new ArgumentException("destination too small for the frame", nameof(destination));
        CopyPayload(payload, destination[header..], mask, 0);
        return header + payload.Length;
    }

    /// <summary>Writes a whole frame to <paramref name="writer"/>, copying (and masking) the payload in the writer's own block sizes.</summary>
    public static void WriteFrame(IBufferWriter<byte> writer, WebSocketOpcode opcode, bool fin, ReadOnlySpan<byte> payload, WebSocketMask mask, bool compressed = false)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var header = WriteHeader(writer.GetSpan(WebSocketFrameHeaderParser.MaxHeaderLength), opcode, fin, payload.Length, mask, compressed);
        writer.Advance(header);
        var keyOffset = 0;
        while (!payload.IsEmpty)
        {
            var span = writer.GetSpan();
            var n = Math.Min(span.Length, payload.Length);
            keyOffset = CopyPayload(payload[..n], span, mask, keyOffset);
            writer.Advance(n);
            payload = payload[n..];
        }
    }

    public static void WriteText(IBufferWriter<byte> writer, ReadOnlySpan<byte> utf8, WebSocketMask mask, bool endOfMessage = true) =>
        WriteFrame(writer, WebSocketOpcode.Text, endOfMessage, utf8, mask);

    public static void WriteBinary(IBufferWriter<byte> writer, ReadOnlySpan<byte> data, WebSocketMask mask, bool endOfMessage = true) =>
        WriteFrame(writer, WebSocketOpcode.Binary, endOfMessage, data, mask);

    public static void WritePing(IBufferWriter<byte> writer, ReadOnlySpan<byte> payload, WebSocketMask mask) =>
        WriteFrame(writer, WebSocketOpcode.Ping, true, payload, mask);

    public static void WritePong(IBufferWriter<byte> writer, ReadOnlySpan<byte> payload, WebSocketMask mask) =>
        WriteFrame(writer, WebSocketOpcode.Pong, true, payload, mask);

    /// <summary>
    /// Writes a close frame. <see cref="WebSocketCloseCodes.NoStatusReceived"/> (1005, what the inspector reports for
    /// an empty close) writes an empty payload; any other code must be valid on the wire and the reason UTF-8 of at
    /// most 123 bytes.
    /// </summary>
    public static void WriteClose(IBufferWriter<byte> writer, ushort code, ReadOnlySpan<byte> reason, WebSocketMask mask)
    {
        Span<byte> payload = stackalloc byte[MaxControlPayload];
        WriteFrame(writer, WebSocketOpcode.Close, true, payload[..ClosePayload(payload, code, reason)], mask);
    }

    /// <summary>The same into a span; returns the frame's length (at most 131).</summary>
    public static int WriteClose(Span<byte> destination, ushort code, ReadOnlySpan<byte> reason, WebSocketMask mask)
    {
        Span<byte> payload = stackalloc byte[MaxControlPayload];
        return WriteFrame(destination, WebSocketOpcode.Close, true, payload[..ClosePayload(payload, code, reason)], mask);
    }

    private static int ClosePayload(Span<byte> payload, ushort code, ReadOnlySpan<byte> reason)
    {
        if (code == WebSocketCloseCodes.NoStatusReceived)
        {
            if (!reason.IsEmpty) throw new ArgumentException("an empty close frame has no reason", nameof(reason));
            return 0;
        }
        if (!WebSocketCloseCodes.IsValidOnWire(code)) throw new ArgumentOutOfRangeException(nameof(code), code, "close code not allowed on the wire");
        if (reason.Length > MaxCloseReasonBytes) throw new ArgumentException("close reason longer than 123 bytes", nameof(reason));
        if (!System.Text.Unicode.Utf8.IsValid(reason)) throw new ArgumentException("close reason is not UTF-8", nameof(reason));
        BinaryPrimitives.WriteUInt16BigEndian(payload, code);
        reason.CopyTo(payload[2..]);
        return 2 + reason.Length;
    }

    private static int CopyPayload(ReadOnlySpan<byte> payload, Span<byte> destination, WebSocketMask mask, int keyOffset)
    {
        if (mask.IsMasked) return WebSocketMasking.Apply(payload, destination, mask.Key, keyOffset);
        payload.CopyTo(destination);
        return 0;
    }
}
