using EdgeServer.Protocol.WebSockets;

namespace EdgeServer.Protocol.Tests.WebSockets;

/// <summary>Records every inspector event as a line of text, so feeding modes can be compared as lists.</summary>
internal struct EventLog : IWebSocketFrameEvents
{
    public List<string> Lines;
    /// <summary>Refuse the frame at this stream offset (a policy decision), or -1.</summary>
    public long RefuseAt;

    public EventLog()
    {
        Lines = [];
        RefuseAt = -1;
    }

    public static bool WantsPayload => false;

    public readonly bool OnFrameStart(in WebSocketFrameHeader header, long frameOffset)
    {
        if (frameOffset == RefuseAt) return false;
        Lines.Add($"frame {header.Opcode} fin={header.Fin} rsv={header.Rsv} len={header.PayloadLength} at={frameOffset}");
        return true;
    }

    public readonly void OnPayload(ReadOnlySpan<byte> payload) => throw new InvalidOperationException("payload not wanted");

    public readonly bool OnMessageEnd(WebSocketOpcode messageType, long messageBytes, bool compressed)
    {
        Lines.Add($"message {messageType} {messageBytes} compressed={compressed}");
        return true;
    }

    public readonly bool OnControlFrame(WebSocketOpcode opcode, ReadOnlySpan<byte> payload, ushort closeCode)
    {
        Lines.Add(opcode == WebSocketOpcode.Close
            ? $"close {closeCode} '{Encoding.UTF8.GetString(payload[Math.Min(2, payload.Length)..])}'"
            : $"{opcode} '{Encoding.UTF8.GetString(payload)}'");
        return true;
    }
}
