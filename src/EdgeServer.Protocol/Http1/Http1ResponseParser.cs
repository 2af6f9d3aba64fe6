namespace EdgeServer.Protocol.Http1;

/// <summary>Strict parser for upstream response heads, for framing (RFC 9112 §4, §6.3).</summary>
/// <remarks>
/// Same field-line rules, limits and prefix guarantee as <see cref="Http1RequestParser"/>. Differences:
/// Transfer-Encoding whose final coding is not chunked means a close-delimited body (KeepAlive false);
/// Content-Length with Transfer-Encoding is refused rather than letting TE win.
/// </remarks>
public static class Http1ResponseParser
{
    /// <exception cref="ArgumentException">The head was created for smaller limits than <paramref name="limits"/>.</exception>
    public static ParseStatus TryParse(in ReadOnlySequence<byte> buffer, ResponseHead head, in HttpParserLimits limits, out long consumed)
    {
        ArgumentNullException.ThrowIfNull(head);
        HeadInput.EnsureCapacity(head.Buffer, head.Headers.Length, limits);
        head.Reset();
        consumed = 0;

        var status = HeadInput.Parse<ResponseSpanParser, ResponseHead>(buffer, head, head.Buffer, limits);
        if (status == ParseStatus.Complete) consumed = head.Length;
        return status;
    }

    private readonly struct ResponseSpanParser : IHeadSpanParser<ResponseHead>
    {
        public static ParseStatus Parse(ReadOnlySpan<byte> data, ResponseHead head, in HttpParserLimits limits, out int length)
        {
            var status = ParseSpan(data, head, limits);
            length = head.Length;
            return status;
        }

        public static void Reset(ResponseHead head) => head.Reset();
    }

    private static ParseStatus ParseSpan(ReadOnlySpan<byte> data, ResponseHead head, in HttpParserLimits limits)
    {
        var status = StatusLine.Parse(data, limits.MaxStartLineBytes, head, out var position, out var error);
        if (status != ParseStatus.Complete) return Stop(head, status, error);

        var fieldEnd = position + limits.MaxHeaderBytes;
        var framing = default(ResponseFraming);
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

    private static ParseStatus Stop(ResponseHead head, ParseStatus status, HttpParseError error)
    {
        head.Error = error;
        return status;
    }
}
