namespace EdgeServer.Protocol.Http1;

public enum ChunkedStatus : byte
{
    NeedMoreData = 0,
    Done,
    Error,
}

/// <summary>
/// Incremental validator of a chunked body (RFC 9112 §7.1): it walks chunk sizes, extensions, data,
/// and trailers across any segmentation, so the proxy can relay the body's bytes verbatim while being
/// sure of where it ends and that nothing in it is ambiguous.
/// </summary>
public struct ChunkedBodyDecoder
{
    /// <summary>Decoded data bytes seen so far (for body size limits).</summary>
    public long DataBytes { get; private set; }

    public HttpParseError Error { get; private set; }

    /// <summary>
    /// Walks <paramref name="input"/>. <paramref name="consumed"/> is how many bytes of it belong to the
    /// body (relay exactly those). Done: the last chunk and trailers ended within those bytes.
    /// </summary>
    public ChunkedStatus Process(in ReadOnlySequence<byte> input, long maxDataBytes, out long consumed)
        => throw new NotImplementedException();

    public void Reset() => this = default;
}
