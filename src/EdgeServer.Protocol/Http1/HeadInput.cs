namespace EdgeServer.Protocol.Http1;

/// <summary>
/// Gives the head parsers one contiguous span over at most the head limit of the input. A single-segment
/// buffer is used in place (copied only once the head is complete); a multi-segment one is copied into the
/// head's own buffer, stopping after the segment where the empty line appears so a large body behind the
/// head is never copied.
/// </summary>
internal static class HeadInput
{
    /// <summary>
    /// Runs <typeparamref name="TParser"/> over one contiguous span of <paramref name="buffer"/>, the same
    /// way for requests and responses. On Complete the head's bytes end up in <paramref name="headBuffer"/>.
    /// </summary>
    public static ParseStatus Parse<TParser, THead>(in ReadOnlySequence<byte> buffer, THead head, byte[] headBuffer, in HttpParserLimits limits)
        where TParser : IHeadSpanParser<THead>
        where THead : class
    {
        if (buffer.IsEmpty) return ParseStatus.Incomplete;
        if (buffer.IsSingleSegment)
        {
            var span = buffer.FirstSpan;
            if (span.Length > limits.MaxHeadBytes) span = span[..limits.MaxHeadBytes];
            var status = TParser.Parse(span, head, limits, out var length);
            if (status == ParseStatus.Complete) span[..length].CopyTo(headBuffer);
            return status;
        }

        var available = (int)Math.Min(buffer.Length, limits.MaxHeadBytes);
        // Never past the limit, even when the head's array is larger (pooled arrays round up).
        var copied = Copy(buffer, headBuffer.AsSpan(0, limits.MaxHeadBytes), all: false);
        var result = TParser.Parse(headBuffer.AsSpan(0, copied), head, limits, out _);
        if (result == ParseStatus.Incomplete && copied < available)
        {
            // Cannot happen for a well-formed head (the copy stopped at its empty line), but never trust that.
            copied = Copy(buffer, headBuffer.AsSpan(0, available), all: true);
            TParser.Reset(head);
            result = TParser.Parse(headBuffer.AsSpan(0, copied), head, limits, out _);
        }
        return result;
    }

    private static ReadOnlySpan<byte> EndOfHead => "\r\n\r\n"u8;

    /// <summary>Copies the start of <paramref name="buffer"/> into <paramref name="destination"/>; <paramref name="all"/> copies up to its length without stopping early.</summary>
    public static int Copy(in ReadOnlySequence<byte> buffer, Span<byte> destination, bool all)
    {
        var copied = 0;
        foreach (var segment in buffer)
        {
            var span = segment.Span;
            if (span.Length > destination.Length - copied) span = span[..(destination.Length - copied)];
            span.CopyTo(destination[copied..]);
            var searchFrom = Math.Max(0, copied - 3); // the CRLFCRLF may straddle two segments
            copied += span.Length;
            if (copied == destination.Length) break;
            if (!all && destination[searchFrom..copied].IndexOf(EndOfHead) >= 0) break;
        }
        return copied;
    }

    public static void EnsureCapacity(byte[] headBuffer, int headerSlots, in HttpParserLimits limits)
    {
        // A head built for smaller limits cannot hold what these limits allow: a wiring bug, not bad input.
        if (headBuffer.Length < limits.MaxHeadBytes || headerSlots < limits.MaxHeaderCount)
        {
            throw new ArgumentException("The head was created for smaller limits than the ones passed to the parser.", nameof(limits));
        }
    }
}
