namespace EdgeServer.Protocol.Http1;

/// <summary>
/// A parsed request head, reused for every request of a connection: the head's bytes are copied once
/// into <see cref="Buffer"/> and every element is an offset into it, so a keep-alive connection stops
/// allocating after its first request.
/// </summary>
public sealed class RequestHead
{
    private static ReadOnlySpan<byte> RootPath => "/"u8;

    /// <summary>
    /// Head arrays are held for exactly as long as a request is in flight, so their pool must keep as many
    /// as there are concurrent requests; the shared pool keeps a few dozen per size and would drop and
    /// reallocate the rest. 1,024 per bucket covers 1,024 concurrent requests; beyond that, arrays are
    /// allocated and dropped as usual.
    /// </summary>
    private static readonly ArrayPool<byte> s_bufferPool = ArrayPool<byte>.Create(maxArrayLength: 1024 * 1024, maxArraysPerBucket: 1024);
    private static readonly ArrayPool<HeaderField> s_fieldPool = ArrayPool<HeaderField>.Create(maxArrayLength: 16 * 1024, maxArraysPerBucket: 1024);

    private bool _pooled;

    public RequestHead(in HttpParserLimits limits)
    {
        Buffer = new byte[limits.MaxHeadBytes];
        Headers = new HeaderField[limits.MaxHeaderCount];
    }

    private RequestHead()
    {
        Buffer = [];
        Headers = [];
    }

    /// <summary>
    /// A head whose arrays are rented from the shared pools while a request needs them (see
    /// <see cref="RentArrays"/>): a head sized for the limits is ~40 KiB, which would otherwise be
    /// allocated and zeroed per connection and held by every idle keep-alive connection.
    /// </summary>
    public static RequestHead CreatePooled() => new();

    /// <summary>Whether the arrays are present (always for a head built with limits).</summary>
    public bool HasArrays => Buffer.Length > 0;

    /// <summary>Rents arrays for these limits, giving back smaller ones first. Does nothing when the current ones fit.</summary>
    public void RentArrays(in HttpParserLimits limits)
    {
        if (Buffer.Length >= limits.MaxHeadBytes && Headers.Length >= limits.MaxHeaderCount) return;
        ReturnArrays();
        Buffer = s_bufferPool.Rent(limits.MaxHeadBytes);
        Headers = s_fieldPool.Rent(limits.MaxHeaderCount);
        _pooled = true;
    }

    /// <summary>Gives rented arrays back; the head holds none until <see cref="RentArrays"/> again. Heads built with limits keep theirs.</summary>
    public void ReturnArrays()
    {
        if (!_pooled) return;
        _pooled = false;
        Reset();
        s_bufferPool.Return(Buffer);
        s_fieldPool.Return(Headers);
        Buffer = [];
        Headers = [];
    }

    /// <summary>The head's bytes, start line to the final empty line, in one contiguous array.</summary>
    public byte[] Buffer { get; private set; }

    /// <summary>Bytes of <see cref="Buffer"/> in use (the whole head including its final CRLF).</summary>
    public int Length { get; internal set; }

    public HttpParseError Error { get; internal set; }

    public KnownMethod Method { get; internal set; }
    internal int MethodLength;

    public TargetForm Form { get; internal set; }
    internal int TargetStart, TargetLength;
    internal int PathStart, PathLength;       // PathLength 0 means "/" (absolute-form without a path)
    internal int QueryStart, QueryLength;     // after the '?'; QueryStart -1 when there is no '?'
    internal int AuthorityStart, AuthorityLength; // absolute and authority forms only

    public HttpVersion Version { get; internal set; }

    internal HeaderField[] Headers;
    public int HeaderCount { get; internal set; }

    /// <summary>How many fields this head can hold (its limits' MaxHeaderCount when built).</summary>
    public int FieldCapacity => Headers.Length;

    /// <summary>Index of the Host field, or -1.</summary>
    public int HostIndex { get; internal set; } = -1;

    /// <summary>Declared Content-Length, or -1 when absent.</summary>
    public long ContentLength { get; internal set; } = -1;

    public bool IsChunked { get; internal set; }

    /// <summary>False when the client asked to close (Connection: close, or HTTP/1.0 without keep-alive).</summary>
    public bool KeepAlive { get; internal set; }

    /// <summary>Expect: 100-continue was sent by an HTTP/1.1 client.</summary>
    public bool ExpectContinue { get; internal set; }

    /// <summary>The Connection field lists the "upgrade" token.</summary>
    public bool ConnectionUpgrade { get; internal set; }

    /// <summary>Index of the Upgrade field, or -1.</summary>
    public int UpgradeIndex { get; internal set; } = -1;

    public BodyFraming BodyFraming => IsChunked ? BodyFraming.Chunked : ContentLength > 0 ? BodyFraming.ContentLength : BodyFraming.None;

    public ReadOnlySpan<byte> MethodBytes => Buffer.AsSpan(0, MethodLength);
    public ReadOnlySpan<byte> Target => Buffer.AsSpan(TargetStart, TargetLength);

    /// <summary>The path without the query; "/" for an absolute-form target without a path.</summary>
    public ReadOnlySpan<byte> Path => PathLength == 0 ? RootPath : Buffer.AsSpan(PathStart, PathLength);

    public bool HasQuery => QueryStart >= 0;
    public ReadOnlySpan<byte> Query => QueryStart < 0 ? default : Buffer.AsSpan(QueryStart, QueryLength);

    /// <summary>Path and query as sent upstream in origin-form.</summary>
    public ReadOnlySpan<byte> PathAndQuery =>
        PathLength == 0 ? RootPath : Buffer.AsSpan(PathStart, QueryStart < 0 ? PathLength : QueryStart + QueryLength - PathStart);

    /// <summary>The effective authority: the target's for absolute-form (RFC 9112 §3.2.2), else the Host field's.</summary>
    public ReadOnlySpan<byte> Authority =>
        AuthorityLength > 0 ? Buffer.AsSpan(AuthorityStart, AuthorityLength)
        : HostIndex >= 0 ? Value(HostIndex) : default;

    public ReadOnlySpan<HeaderField> Fields => Headers.AsSpan(0, HeaderCount);

    /// <summary>Mutable view, so the proxy can mark fields to drop before rewriting the head.</summary>
    public Span<HeaderField> MutableFields => Headers.AsSpan(0, HeaderCount);

    public ReadOnlySpan<byte> Name(int index) { ref readonly var f = ref Headers[index]; return Buffer.AsSpan(f.NameStart, f.NameLength); }
    public ReadOnlySpan<byte> Value(int index) { ref readonly var f = ref Headers[index]; return Buffer.AsSpan(f.ValueStart, f.ValueLength); }
    public ReadOnlySpan<byte> Name(in HeaderField f) => Buffer.AsSpan(f.NameStart, f.NameLength);
    public ReadOnlySpan<byte> Value(in HeaderField f) => Buffer.AsSpan(f.ValueStart, f.ValueLength);

    /// <summary>Index of the first field with this name (ASCII case-insensitive), or -1.</summary>
    public int IndexOf(ReadOnlySpan<byte> name)
    {
        for (var i = 0; i < HeaderCount; i++)
        {
            if (Ascii.EqualsIgnoreCase(Name(i), name)) return i;
        }
        return -1;
    }

    public int IndexOf(KnownHeader known)
    {
        for (var i = 0; i < HeaderCount; i++)
        {
            if (Headers[i].Known == known) return i;
        }
        return -1;
    }

    public void Reset()
    {
        Length = 0;
        Error = HttpParseError.None;
        Method = KnownMethod.Custom;
        MethodLength = 0;
        Form = TargetForm.Origin;
        TargetStart = TargetLength = PathStart = PathLength = 0;
        QueryStart = -1;
        QueryLength = 0;
        AuthorityStart = AuthorityLength = 0;
        Version = HttpVersion.Http11;
        HeaderCount = 0;
        HostIndex = -1;
        ContentLength = -1;
        IsChunked = false;
        KeepAlive = false;
        ExpectContinue = false;
        ConnectionUpgrade = false;
        UpgradeIndex = -1;
    }
}
