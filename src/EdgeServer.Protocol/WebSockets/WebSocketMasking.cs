using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.Intrinsics;

namespace EdgeServer.Protocol.WebSockets;

/// <summary>
/// XOR masking (RFC 6455 §5.3) of a payload taken in pieces: the caller keeps the offset into the 4-byte key
/// between pieces, so a payload split across reads unmasks exactly as if it were whole. Vectorised, in place
/// or into another buffer.
/// </summary>
public static class WebSocketMasking
{
    /// <summary>
    /// Writes <paramref name="source"/> XOR the key into <paramref name="destination"/> (which may be the same
    /// memory) and returns the key offset for the byte after it. <paramref name="keyOffset"/> is the number of
    /// payload bytes before <paramref name="source"/>, modulo 4.
    /// </summary>
    public static int Apply(ReadOnlySpan<byte> source, Span<byte> destination, uint maskKey, int keyOffset)
    {
        if (destination.Length < source.Length) throw new ArgumentException("destination is shorter than source", nameof(destination));
        // Bytes of the key in wire order from keyOffset, as a little-endian value: byte t masks payload byte t (mod 4).
        var pattern = BitOperations.RotateRight(BinaryPrimitives.ReverseEndianness(maskKey), 8 * (keyOffset & 3));
        var i = 0;
        var length = source.Length;
        if (BitConverter.IsLittleEndian && Vector256.IsHardwareAccelerated && length >= Vector256<byte>.Count)
        {
            var mask = Vector256.Create(pattern).AsByte();
            for (; i <= length - Vector256<byte>.Count; i += Vector256<byte>.Count)
            {
                (Vector256.Create(source.Slice(i, Vector256<byte>.Count)) ^ mask).CopyTo(destination[i..]);
            }
        }
        if (BitConverter.IsLittleEndian && Vector128.IsHardwareAccelerated && length - i >= Vector128<byte>.Count)
        {
            var mask = Vector128.Create(pattern).AsByte();
            for (; i <= length - Vector128<byte>.Count; i += Vector128<byte>.Count)
            {
                (Vector128.Create(source.Slice(i, Vector128<byte>.Count)) ^ mask).CopyTo(destination[i..]);
            }
        }
        var wide = pattern | (ulong)pattern << 32;
        for (; i <= length - sizeof(ulong); i += sizeof(ulong))
        {
            BinaryPrimitives.WriteUInt64LittleEndian(destination[i..], BinaryPrimitives.ReadUInt64LittleEndian(source[i..]) ^ wide);
        }
        for (; i < length; i++)
        {
            destination[i] = (byte)(source[i] ^ (byte)(pattern >> (8 * (i & 3))));
        }
        return (keyOffset + length) & 3;
    }
}
