using System.Buffers.Binary;
using System.Security.Cryptography;

namespace EdgeServer.Protocol.WebSockets;

/// <summary>
/// Whether a frame the edge writes is masked, and with which key: frames toward a server must be masked with a
/// fresh unpredictable key (RFC 6455 §5.3), frames toward a client never are.
/// </summary>
public readonly record struct WebSocketMask(bool IsMasked, uint Key)
{
    /// <summary>Toward a client.</summary>
    public static WebSocketMask None => default;

    /// <summary>Toward a server, with a key the caller chose (first wire byte in the high byte).</summary>
    public static WebSocketMask WithKey(uint key) => new(true, key);

    /// <summary>Toward a server, with a key from the system's cryptographic generator.</summary>
    public static WebSocketMask Random()
    {
        Span<byte> key = stackalloc byte[4];
        RandomNumberGenerator.Fill(key);
        return WithKey(BinaryPrimitives.ReadUInt32BigEndian(key));
    }
}
