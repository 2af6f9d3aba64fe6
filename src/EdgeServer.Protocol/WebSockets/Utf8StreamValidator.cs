using System.Text.Unicode;

namespace EdgeServer.Protocol.WebSockets;

/// <summary>
/// Validates UTF-8 fed in arbitrary pieces: a code point may be split between reads, frames or fragments. The
/// 1-3 bytes of an unfinished code point are kept in the struct; everything else is checked in bulk by the
/// BCL's vectorised <see cref="Utf8.IsValid"/>.
/// </summary>
/// <remarks>
/// Fails fast (RFC 6455 §8.1): a piece is refused as soon as it cannot be the prefix of valid UTF-8, including an
/// unfinished code point that can no longer become valid (E0 80, ED A0, F4 90). <see cref="IsAtBoundary"/> at the
/// end of a message says whether the last code point was finished.
/// </remarks>
public struct Utf8StreamValidator
{
    private uint _pending;      // bytes of an unfinished code point, first byte in the low byte
    private int _pendingCount;

    /// <summary>No code point is unfinished: the bytes so far are complete, valid UTF-8.</summary>
    public readonly bool IsAtBoundary => _pendingCount == 0;

    /// <summary>Takes the next piece; false when the bytes so far can no longer be valid UTF-8.</summary>
    public bool Append(ReadOnlySpan<byte> piece)
    {
        if (_pendingCount != 0)
        {
            if (piece.IsEmpty) return true;
            Span<byte> sequence = stackalloc byte[4];
            for (var k = 0; k < _pendingCount; k++) sequence[k] = (byte)(_pending >> (8 * k));
            var take = Math.Min(SequenceLength(sequence[0]) - _pendingCount, piece.Length);
            piece[..take].CopyTo(sequence[_pendingCount..]);
            var filled = _pendingCount + take;
            var status = Rune.DecodeFromUtf8(sequence[..filled], out _, out _);
            if (status == OperationStatus.InvalidData) return false;
            if (status == OperationStatus.NeedMoreData) return Keep(sequence[..filled]);
            _pendingCount = 0;
            _pending = 0;
            piece = piece[take..];
        }

        if (Utf8.IsValid(piece)) return true;
        // Either invalid, or valid up to a code point that the next piece may finish.
        var tail = UnfinishedTailStart(piece);
        if (tail < 0 || !Utf8.IsValid(piece[..tail])) return false;
        var rest = piece[tail..];
        return Rune.DecodeFromUtf8(rest, out _, out _) == OperationStatus.NeedMoreData && Keep(rest);
    }

    public void Reset() => this = default;

    private bool Keep(ReadOnlySpan<byte> unfinished)
    {
        _pending = 0;
        for (var k = 0; k < unfinished.Length; k++) _pending |= (uint)unfinished[k] << (8 * k);
        _pendingCount = unfinished.Length;
        return true;
    }

    /// <summary>Index of a lead byte in the last three whose sequence runs past the end, or -1.</summary>
    private static int UnfinishedTailStart(ReadOnlySpan<byte> piece)
    {
        for (var j = piece.Length - 1; j >= 0 && j >= piece.Length - 3; j--)
        {
            var b = piece[j];
            if ((b & 0xC0) == 0x80) continue; // continuation byte: look further back
            return SequenceLength(b) > piece.Length - j ? j : -1;
        }
        return -1;
    }

    /// <summary>Length of the sequence a lead byte starts; 0 for bytes that never start one.</summary>
    private static int SequenceLength(byte lead) => lead switch
    {
        < 0x80 => 1,
        >= 0xC2 and <= 0xDF => 2,
        >= 0xE0 and <= 0xEF => 3,
        >= 0xF0 and <= 0xF4 => 4,
        _ => 0,
    };
}
