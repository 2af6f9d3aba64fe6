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
/// <remarks>
/// A byte-level state machine whose whole state lives in the struct, so a chunk-size line or trailer split
/// anywhere resumes where it stopped. Chunk data is skipped in bulk. Strict where parsers disagree (the
/// chunked smuggling family): 1*HEXDIG sizes without sign, prefix or spaces; whitespace only as BWS before
/// ';' or '=' of an extension; CRLF only; a size line at most <see cref="MaxChunkLineBytes"/>; trailers
/// with header-field syntax, at most <see cref="MaxTrailerBytes"/> together.
/// </remarks>
public partial struct ChunkedBodyDecoder
{
    /// <summary>4 KiB for a chunk-size line with its extensions: real ones are a few bytes; longer is abuse.</summary>
    public const int MaxChunkLineBytes = 4 * 1024;

    /// <summary>32 KiB for all trailer lines: the same room as a header block, trailers are rarely used at all.</summary>
    public const int MaxTrailerBytes = 32 * 1024;

    private State _state;
    private long _size;        // size of the chunk being declared, then the data bytes left in it
    private int _lineBytes;    // bytes of the current chunk-size line, or of all trailer lines

    /// <summary>Decoded data bytes seen so far (for body size limits).</summary>
    public long DataBytes { get; private set; }

    public HttpParseError Error { get; private set; }

    /// <summary>The last chunk and its trailers have been read; no further byte belongs to the body.</summary>
    public readonly bool IsDone => _state == State.Done;

    /// <summary>
    /// Walks <paramref name="input"/>. <paramref name="consumed"/> is how many bytes of it belong to the
    /// body (relay exactly those). Done: the last chunk and trailers ended within those bytes.
    /// NeedMoreData: all of the input was taken in (partial lines are kept in this decoder's state).
    /// Error: <see cref="Error"/> says why; <paramref name="consumed"/> stops before the offending byte.
    /// </summary>
    /// <param name="maxDataBytes">Most data bytes the whole body may carry; a chunk size that would pass it is BodyTooLarge.</param>
    public ChunkedStatus Process(in ReadOnlySequence<byte> input, long maxDataBytes, out long consumed)
    {
        consumed = 0;
        if (_state == State.Done) return ChunkedStatus.Done;
        if (_state == State.Failed) return ChunkedStatus.Error;

        long before = 0; // input bytes in the segments already walked
        foreach (var segment in input)
        {
            var span = segment.Span;
            var i = 0;
            while (i < span.Length)
            {
                if (_state == State.Data)
                {
                    var take = (int)Math.Min(_size, span.Length - i);
                    i += take;
                    _size -= take;
                    DataBytes += take;
                    if (_size == 0) _state = State.DataCR;
                    continue;
                }
                Step(span[i], maxDataBytes);
                if (_state == State.Failed)
                {
                    consumed = before + i;
                    return ChunkedStatus.Error;
                }
                i++;
                if (_state == State.Done)
                {
                    consumed = before + i;
                    return ChunkedStatus.Done;
                }
            }
            before += span.Length;
        }
        consumed = before;
        return ChunkedStatus.NeedMoreData;
    }

    public void Reset() => this = default;
}
