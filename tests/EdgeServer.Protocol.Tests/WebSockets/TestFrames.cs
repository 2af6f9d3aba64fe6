using System.Buffers.Binary;
using EdgeServer.Protocol.WebSockets;

namespace EdgeServer.Protocol.Tests.WebSockets;

/// <summary>
/// Builds frames byte by byte, independently of <see cref="WebSocketFrameWriter"/>, so the inspector is not judged
/// by the code it would share bugs with. Any header may be forged (non-minimal lengths, stray bits).
/// </summary>
internal static class TestFrames
{
    public const uint Key = 0x37FA213D; // RFC 6455 §5.7's example key

    public static byte[] Frame(WebSocketOpcode opcode, ReadOnlySpan<byte> payload, bool masked, bool fin = true, int rsv = 0,
        uint key = Key, int lengthBytes = -1)
    {
        var length = payload.Length;
        if (lengthBytes < 0) lengthBytes = length <= 125 ? 0 : length <= 0xFFFF ? 2 : 8;
        var header = new List<byte> { (byte)((fin ? 0x80 : 0) | rsv << 4 | (int)opcode) };
        var maskBit = masked ? 0x80 : 0;
        if (lengthBytes == 0) header.Add((byte)(maskBit | length));
        else if (lengthBytes == 2)
        {
            header.Add((byte)(maskBit | 126));
            header.Add((byte)(length >> 8));
            header.Add((byte)length);
        }
        else
        {
            header.Add((byte)(maskBit | 127));
            var wide = new byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(wide, (ulong)length);
            header.AddRange(wide);
        }
        var body = payload.ToArray();
        if (masked)
        {
            var k = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(k, key);
            header.AddRange(k);
            for (var i = 0; i < body.Length; i++) body[i] ^= k[i % 4];
        }
        return [.. header, .. body];
    }

    public static byte[] Text(string text, bool masked, bool fin = true) => Frame(WebSocketOpcode.Text, Encoding.UTF8.GetBytes(text), masked, fin);

    public static byte[] Close(int code, string reason, bool masked)
    {
        var reasonBytes = Encoding.UTF8.GetBytes(reason);
        var payload = new byte[2 + reasonBytes.Length];
        payload[0] = (byte)(code >> 8);
        payload[1] = (byte)code;
        reasonBytes.CopyTo(payload, 2);
        return Frame(WebSocketOpcode.Close, payload, masked);
    }

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}
