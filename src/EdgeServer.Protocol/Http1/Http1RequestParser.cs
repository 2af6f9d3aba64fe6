namespace EdgeServer.Protocol.Http1;

/// <summary>
/// Strict RFC 9112 request-head parser. Pure: bytes in, a filled <see cref="RequestHead"/> out; it knows
/// nothing of sockets. See the tests for the exact rules.
/// </summary>
/// <remarks>
/// Every error is decided at the first byte that settles it and no byte past the limits is read, so any
/// prefix of a message is Incomplete or fails with the same error as the whole message: callers may
/// re-invoke with a longer buffer as bytes arrive. Limits: the request line including its CRLF fits in
/// MaxStartLineBytes (else 414), the field lines including their CRLFs fit in MaxHeaderBytes (else 431),
/// then the final CRLF.
/// </remarks>
public static class Http1RequestParser
{
    /// <summary>
    /// Parses one request head from the start of <paramref name="buffer"/>. On Complete the head is copied
    /// into <see cref="RequestHead.Buffer"/> and <paramref name="consumed"/> is its length; on Incomplete
    /// nothing is consumed; on Error <see cref="RequestHead.Error"/> says why.
    /// </summary>
    /// <exception cref="ArgumentException">The head was created for smaller limits than <paramref name="limits"/>.</exception>
    public static ParseStatus TryParse(in ReadOnlySequence<byte> buffer, RequestHead head, in HttpParserLimits limits, out long consumed)
    {
        ArgumentNullException.ThrowIfNull(head);
        HeadInput.EnsureCapacity(head.Buffer, head.Headers.Length, limits);
        head.Reset();
        consumed = 0;

        var status = HeadInput.Parse<RequestSpanParser, RequestHead>(buffer, head, head.Buffer, limits);
        if (status == ParseStatus.Complete) consumed = head.Length;
        return status;
    }

    private readonly struct RequestSpanParser : IHeadSpanParser<RequestHead>
    {
        public static ParseStatus Parse(ReadOnlySpan<byte> data, RequestHead head, in HttpParserLimits limits, out int length)
        {
            var status = ParseSpan(data, head, limits);
            length = head.Length;
            return status;
        }

        public static void Reset(RequestHead head) => head.Reset();
    }

    private static ParseStatus ParseSpan(ReadOnlySpan<byte> data, RequestHead head, in HttpParserLimits limits)
    {
        var status = RequestLine.Parse(data, limits.MaxStartLineBytes, head, out var position, out var error);
        if (status != ParseStatus.Complete) return Stop(head, status, error);

        var fieldEnd = position + limits.MaxHeaderBytes;
        var framing = default(RequestFraming);
        while (true)
        {
            var kind = FieldLineParser.Parse(data, position, fieldEnd, head.HeaderCount >= limits.MaxHeaderCount,
                out var field, out position, out error);
            if (kind == LineKind.Incomplete) return ParseStatus.Incomplete;
            if (kind == LineKind.Error) return Stop(head, ParseStatus.Error, error);
            if (kind == LineKind.EndOfHead) break;
            error = framing.Apply(head, data, field);
            if (error != HttpParseError.None) return Stop(head, ParseStatus.Error, error);
            head.Headers[head.HeaderCount++] = field;
        }

        error = framing.Complete(head);
        if (error != HttpParseError.None) return Stop(head, ParseStatus.Error, error);
        head.Length = position;
        return ParseStatus.Complete;
    }

    private static ParseStatus Stop(RequestHead head, ParseStatus status, HttpParseError error)
    {
        head.Error = error;
        return status;
    }
}
