namespace EdgeServer.Protocol.Http1;

/// <summary>
/// A parsed upstream response head, reused per upstream connection. The proxy parses responses for
/// framing only: status, Content-Length, Transfer-Encoding and Connection; everything else is relayed.
/// </summary>
public sealed class ResponseHead
{
    public ResponseHead(in HttpParserLimits limits)
    {
        Buffer = new byte[limits.MaxHeadBytes];
        Headers = new HeaderField[limits.MaxHeaderCount];
    }

    public byte[] Buffer { get; private set; }
    public int Length { get; internal set; }
    public HttpParseError Error { get; internal set; }

    public HttpVersion Version { get; internal set; }
    public int StatusCode { get; internal set; }
    internal int ReasonStart, ReasonLength;

    internal HeaderField[] Headers;
    public int HeaderCount { get; internal set; }

    /// <summary>Declared Content-Length, or -1 when absent.</summary>
    public long ContentLength { get; internal set; } = -1;
    public bool IsChunked { get; internal set; }

    /// <summary>The upstream keeps the connection open after this response (1.1 without close, or 1.0 with keep-alive).</summary>
    public bool KeepAlive { get; internal set; }

    public bool ConnectionUpgrade { get; internal set; }

    /// <summary>1xx other than 101: forwarded, then another head follows on the same connection.</summary>
    public bool IsInterim => StatusCode is >= 100 and < 200 and not 101;

    public ReadOnlySpan<byte> Reason => Buffer.AsSpan(ReasonStart, ReasonLength);
    public ReadOnlySpan<HeaderField> Fields => Headers.AsSpan(0, HeaderCount);
    public Span<HeaderField> MutableFields => Headers.AsSpan(0, HeaderCount);
    public ReadOnlySpan<byte> Name(in HeaderField f) => Buffer.AsSpan(f.NameStart, f.NameLength);
    public ReadOnlySpan<byte> Value(in HeaderField f) => Buffer.AsSpan(f.ValueStart, f.ValueLength);
    public ReadOnlySpan<byte> Name(int index) => Name(Headers[index]);
    public ReadOnlySpan<byte> Value(int index) => Value(Headers[index]);

    /// <summary>RFC 9112 §6.3: how this response's body is delimited, given the request it answers.</summary>
    public BodyFraming GetFraming(KnownMethod requestMethod)
    {
        if (requestMethod == KnownMethod.Head || StatusCode is < 200 or 204 or 304) return BodyFraming.None;
        if (requestMethod == KnownMethod.Connect && StatusCode is >= 200 and < 300) return BodyFraming.None;
        if (IsChunked) return BodyFraming.Chunked;
        if (ContentLength >= 0) return ContentLength == 0 ? BodyFraming.None : BodyFraming.ContentLength;
        return BodyFraming.CloseDelimited;
    }

    /// <summary>
    /// Lets go of the head's arrays (~40 KiB at the default limits) for good: for a connection that will never carry
    /// another response, such as one switched to WebSocket, which may then stay open for days.
    /// </summary>
    public void ReleaseBuffers()
    {
        Reset();
        Buffer = [];
        Headers = [];
    }

    public void Reset()
    {
        Length = 0;
        Error = HttpParseError.None;
        Version = HttpVersion.Http11;
        StatusCode = 0;
        ReasonStart = ReasonLength = 0;
        HeaderCount = 0;
        ContentLength = -1;
        IsChunked = false;
        KeepAlive = false;
        ConnectionUpgrade = false;
    }
}
