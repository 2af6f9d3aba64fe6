using System.Buffers.Text;
using System.Security.Cryptography;

namespace EdgeServer.Protocol.WebSockets;

/// <summary>
/// Sec-WebSocket-Key and Sec-WebSocket-Accept (RFC 6455 §4.2.2 step 5.4, §4.1): the accept value is
/// base64(SHA-1(key + GUID)), computed on the stack.
/// </summary>
public static class WebSocketAccept
{
    /// <summary>The GUID every server appends to the key.</summary>
    public static ReadOnlySpan<byte> Guid => "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"u8;

    /// <summary>Length of a key: base64 of 16 bytes.</summary>
    public const int KeyLength = 24;

    /// <summary>Length of an accept value: base64 of a 20-byte SHA-1.</summary>
    public const int AcceptLength = 28;

    /// <summary>Whether the key is the base64 (with padding, no whitespace) of exactly 16 bytes.</summary>
    public static bool IsValidKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeyLength) return false;
        Span<byte> decoded = stackalloc byte[18];
        return Base64.DecodeFromUtf8(key, decoded, out var used, out var written) == OperationStatus.Done
            && used == KeyLength && written == 16;
    }

    /// <summary>Writes the accept value for <paramref name="key"/> (28 bytes) into <paramref name="destination"/>.</summary>
    public static int Compute(ReadOnlySpan<byte> key, Span<byte> destination)
    {
        if (key.Length != KeyLength) throw new ArgumentException("a Sec-WebSocket-Key is 24 bytes", nameof(key));
        if (destination.Length < AcceptLength) throw new ArgumentException("destination shorter than 28 bytes", nameof(destination));
        Span<byte> input = stackalloc byte[KeyLength + 36];
        key.CopyTo(input);
        Guid.CopyTo(input[KeyLength..]);
        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
        SHA1.HashData(input, hash);
        Base64.EncodeToUtf8(hash, destination, out _, out var written);
        return written;
    }

    /// <summary>Whether a backend's Sec-WebSocket-Accept (surrounding whitespace trimmed) answers <paramref name="key"/>.</summary>
    public static bool Verify(ReadOnlySpan<byte> key, ReadOnlySpan<byte> accept)
    {
        accept = accept.Trim(" \t"u8);
        if (key.Length != KeyLength || accept.Length != AcceptLength) return false;
        Span<byte> expected = stackalloc byte[AcceptLength];
        Compute(key, expected);
        return expected.SequenceEqual(accept);
    }
}
