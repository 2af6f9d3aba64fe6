namespace EdgeServer.Protocol.WebSockets;

/// <summary>Frame opcodes of RFC 6455 §5.2. Values 3-7 and 11-15 are reserved and refused on the wire.</summary>
public enum WebSocketOpcode : byte
{
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA,
}

/// <summary>Classification of opcodes, shared by the inspector and the writers.</summary>
public static class WebSocketOpcodes
{
    public static bool IsDefined(WebSocketOpcode opcode) => opcode is <= WebSocketOpcode.Binary or (>= WebSocketOpcode.Close and <= WebSocketOpcode.Pong);

    /// <summary>Close, ping and pong: at most 125 payload bytes, never fragmented, may interleave with a message's fragments.</summary>
    public static bool IsControl(WebSocketOpcode opcode) => ((byte)opcode & 0x8) != 0;
}
