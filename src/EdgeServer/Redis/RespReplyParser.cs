using System.Buffers.Text;

namespace EdgeServer.Redis;

/// <summary>
/// Parses one RESP2 reply (and tolerates RESP3's types) from buffered bytes: pure, no I/O, bytes in and
/// a <see cref="RedisResult"/> out. A reply that is not fully buffered yet reports
/// <see cref="RespParseStatus.Incomplete"/> and the caller retries from the same start when more bytes
/// arrive. Lengths and counts are checked against named limits before anything is allocated, so a
/// broken or hostile server cannot make the client allocate more than the bytes it really sent.
/// With <c>materialize: false</c> a reply is only stepped over (a timed-out call's late reply).
/// </summary>
internal static class RespReplyParser
{
    /// <summary>Nesting deeper than any reply the edge asks for; bounds recursion against a hostile server.</summary>
    public const int MaxDepth = 16;

    /// <summary>Status, error and number lines; Redis's own errors are far shorter.</summary>
    public const int MaxLineBytes = 64 * 1024;

    /// <summary>Bulk strings: larger than any value the edge stores; bounds memory held for one reply.</summary>
    public const int MaxBulkBytes = 16 * 1024 * 1024;

    /// <summary>Array items: bounds the array allocated from a header before its items have arrived.</summary>
    public const int MaxArrayItems = 1024 * 1024;

    // Every value takes at least 3 bytes ("_\r\n"), so an array of n items needs at least 3n more bytes.
    private const int MinValueBytes = 3;

    private static readonly byte[] Ok = "OK"u8.ToArray();
    private static readonly byte[] Pong = "PONG"u8.ToArray();

    /// <summary>Reads one top-level reply. On anything but <see cref="RespParseStatus.Complete"/> or
    /// <see cref="RespParseStatus.Push"/> the reader's position is meaningless: the caller rewinds.</summary>
    public static RespParseStatus TryRead(ref SequenceReader<byte> reader, bool materialize, out RedisResult result)
    {
        result = default;
        if (reader.TryPeek(out var type) && type == (byte)'>')
        {
            // A RESP3 push (pub/sub message, client-side-caching invalidation) answers no command.
            reader.Advance(1);
            var status = ReadCount(ref reader, out var count);
            return status != RespParseStatus.Complete ? status
                : count < 0 ? RespParseStatus.Invalid
                : SkipItems(ref reader, count, 1) is var skipped && skipped == RespParseStatus.Complete ? RespParseStatus.Push : skipped;
        }
        return ReadValue(ref reader, materialize, 0, out result);
    }

    private static RespParseStatus ReadValue(ref SequenceReader<byte> reader, bool materialize, int depth, out RedisResult result)
    {
        result = default;
        if (depth > MaxDepth) return RespParseStatus.Invalid;
        if (!reader.TryRead(out var type)) return RespParseStatus.Incomplete;
        switch (type)
        {
            case (byte)':':
            {
                var status = ReadNumber(ref reader, out var value);
                if (status == RespParseStatus.Complete) result = RedisResult.FromInteger(value);
                return status;
            }
            case (byte)'$':
            case (byte)'=':
            case (byte)'!':
                return ReadBlob(ref reader, type, materialize, out result);
            case (byte)'*':
            case (byte)'~':
            case (byte)'%':
            case (byte)'>':
            {
                var status = ReadCount(ref reader, out var count);
                if (status != RespParseStatus.Complete) return status;
                if (count < 0)
                {
                    result = RedisResult.Null;
                    return RespParseStatus.Complete;
                }
                if (type == (byte)'%') count *= 2; // a map's keys and values, flattened
                return ReadArray(ref reader, (int)count, materialize, depth, out result);
            }
            case (byte)'+':
            case (byte)'-':
            case (byte)',':
            case (byte)'(':
                return ReadLineValue(ref reader, type, materialize, out result);
            case (byte)'_':
            {
                if (!reader.TryReadTo(out ReadOnlySequence<byte> line, "\r\n"u8)) return RespParseStatus.Incomplete;
                if (!line.IsEmpty) return RespParseStatus.Invalid;
                result = RedisResult.Null;
                return RespParseStatus.Complete;
            }
            case (byte)'#':
            {
                if (!reader.TryReadTo(out ReadOnlySequence<byte> line, "\r\n"u8)) return RespParseStatus.Incomplete;
                if (line.Length != 1) return RespParseStatus.Invalid;
                var flag = line.FirstSpan[0];
                if (flag is not ((byte)'t' or (byte)'f')) return RespParseStatus.Invalid;
                result = RedisResult.FromInteger(flag == (byte)'t' ? 1 : 0);
                return RespParseStatus.Complete;
            }
            case (byte)'|':
            {
                // RESP3 attributes describe the reply that follows; the edge has no use for them.
                var status = ReadCount(ref reader, out var count);
                if (status != RespParseStatus.Complete) return status;
                if (count < 0) return RespParseStatus.Invalid;
                status = SkipItems(ref reader, count * 2, depth + 1);
                return status != RespParseStatus.Complete ? status : ReadValue(ref reader, materialize, depth + 1, out result);
            }
            default:
                return RespParseStatus.Invalid;
        }
    }

    private static RespParseStatus ReadArray(ref SequenceReader<byte> reader, int count, bool materialize, int depth, out RedisResult result)
    {
        result = default;
        if ((long)count * MinValueBytes > reader.Remaining) return RespParseStatus.Incomplete;
        if (!materialize)
        {
            result = RedisResult.Null;
            return SkipItems(ref reader, count, depth + 1);
        }

        // Integer arrays up to the inline size stay on the stack; the first other item (or a longer
        // array) moves to a heap array.
        Span<long> integers = stackalloc long[RedisResult.InlineIntegers];
        RedisResult[]? items = count > RedisResult.InlineIntegers ? new RedisResult[count] : null;
        for (var i = 0; i < count; i++)
        {
            var status = ReadValue(ref reader, true, depth + 1, out var item);
            if (status != RespParseStatus.Complete) return status;
            if (items is null && item.Kind == RedisResultKind.Integer)
            {
                integers[i] = item.Integer;
                continue;
            }
            if (items is null)
            {
                items = new RedisResult[count];
                for (var j = 0; j < i; j++) items[j] = RedisResult.FromInteger(integers[j]);
            }
            items[i] = item;
        }
        result = items is null ? RedisResult.FromIntegers(integers[..count]) : RedisResult.FromArray(items);
        return RespParseStatus.Complete;
    }

    private static RespParseStatus SkipItems(ref SequenceReader<byte> reader, long count, int depth)
    {
        if (count * MinValueBytes > reader.Remaining) return RespParseStatus.Incomplete;
        for (long i = 0; i < count; i++)
        {
            var status = ReadValue(ref reader, false, depth, out _);
            if (status != RespParseStatus.Complete) return status;
        }
        return RespParseStatus.Complete;
    }

    private static RespParseStatus ReadBlob(ref SequenceReader<byte> reader, byte type, bool materialize, out RedisResult result)
    {
        result = default;
        var status = ReadNumber(ref reader, out var length);
        if (status != RespParseStatus.Complete) return status;
        if (length == -1 && type == (byte)'$')
        {
            result = RedisResult.Null;
            return RespParseStatus.Complete;
        }
        if (length is < 0 or > MaxBulkBytes) return RespParseStatus.Invalid;
        if (reader.Remaining < length + 2) return RespParseStatus.Incomplete;

        var body = reader.UnreadSequence.Slice(0, length);
        reader.Advance(length);
        if (!reader.IsNext("\r\n"u8, advancePast: true)) return RespParseStatus.Invalid;
        if (!materialize)
        {
            result = RedisResult.Null;
            return RespParseStatus.Complete;
        }
        if (type == (byte)'!')
        {
            result = RedisResult.FromError(Encoding.UTF8.GetString(body));
        }
        else
        {
            // A verbatim string starts with its three-letter format and a colon ("txt:").
            if (type == (byte)'=' && length >= 4) body = body.Slice(4);
            result = RedisResult.FromBulkString(body.ToArray());
        }
        return RespParseStatus.Complete;
    }

    private static RespParseStatus ReadLineValue(ref SequenceReader<byte> reader, byte type, bool materialize, out RedisResult result)
    {
        result = default;
        if (!reader.TryReadTo(out ReadOnlySequence<byte> line, "\r\n"u8))
            return reader.Remaining > MaxLineBytes ? RespParseStatus.Invalid : RespParseStatus.Incomplete;
        if (line.Length > MaxLineBytes) return RespParseStatus.Invalid;
        if (!materialize)
        {
            result = RedisResult.Null;
            return RespParseStatus.Complete;
        }
        if (type == (byte)'-')
        {
            result = RedisResult.FromError(Encoding.UTF8.GetString(line));
            return RespParseStatus.Complete;
        }
        // The frequent status replies share one array instead of a copy per reply.
        var text = line.FirstSpan.SequenceEqual(Ok) && line.IsSingleSegment ? Ok
            : line.FirstSpan.SequenceEqual(Pong) && line.IsSingleSegment ? Pong
            : line.ToArray();
        result = RedisResult.FromSimpleString(text);
        return RespParseStatus.Complete;
    }

    private static RespParseStatus ReadCount(ref SequenceReader<byte> reader, out long count)
    {
        var status = ReadNumber(ref reader, out count);
        if (status == RespParseStatus.Complete && count is < -1 or > MaxArrayItems) return RespParseStatus.Invalid;
        return status;
    }

    /// <summary>A signed decimal line (integer replies, lengths and counts), strictly: digits only, no overflow.</summary>
    private static RespParseStatus ReadNumber(ref SequenceReader<byte> reader, out long value)
    {
        value = 0;
        // 20 characters hold any long with its sign; a longer line is no number.
        const int MaxDigits = 20;
        if (!reader.TryReadTo(out ReadOnlySequence<byte> line, "\r\n"u8))
            return reader.Remaining > MaxDigits + 2 ? RespParseStatus.Invalid : RespParseStatus.Incomplete;
        if (line.IsEmpty || line.Length > MaxDigits) return RespParseStatus.Invalid;
        Span<byte> copy = stackalloc byte[MaxDigits];
        var digits = line.IsSingleSegment ? line.FirstSpan : CopyTo(line, copy);
        if (digits[0] == (byte)'+') return RespParseStatus.Invalid;
        return Utf8Parser.TryParse(digits, out value, out var used) && used == digits.Length
            ? RespParseStatus.Complete
            : RespParseStatus.Invalid;
    }

    private static ReadOnlySpan<byte> CopyTo(in ReadOnlySequence<byte> line, Span<byte> destination)
    {
        line.CopyTo(destination);
        return destination[..(int)line.Length];
    }
}

/// <summary>The outcome of one <see cref="RespReplyParser.TryRead"/>.</summary>
internal enum RespParseStatus : byte
{
    /// <summary>One reply was read.</summary>
    Complete,
    /// <summary>An out-of-band RESP3 push was stepped over; it answers no command.</summary>
    Push,
    /// <summary>More bytes are needed.</summary>
    Incomplete,
    /// <summary>The bytes are not RESP: the connection cannot be trusted any more.</summary>
    Invalid,
}
