namespace EdgeServer.Protocol.Http1;

/// <summary>Why a message was refused. Each maps to one status code (see <see cref="HttpParseErrors"/>).</summary>
public enum HttpParseError : byte
{
    None = 0,
    // 400
    InvalidRequestLine,
    InvalidMethod,
    InvalidTarget,
    InvalidVersion,
    BareLineFeed,
    BareCarriageReturn,
    InvalidHeaderName,
    WhitespaceBeforeColon,
    ObsoleteLineFolding,
    InvalidHeaderValue,
    MissingHost,
    DuplicateHost,
    InvalidHost,
    InvalidContentLength,
    ConflictingContentLength,
    ContentLengthWithTransferEncoding,
    ChunkedNotLast,
    InvalidChunkSize,
    ChunkSizeOverflow,
    InvalidChunkExtension,
    InvalidChunkTerminator,
    InvalidTrailer,
    // 413
    BodyTooLarge,
    // 414
    RequestLineTooLong,
    // 431
    HeadersTooLarge,
    TooManyHeaders,
    // 501
    UnsupportedTransferEncoding,
    // 505
    UnsupportedVersion,
    // responses from upstream (the proxy answers 502)
    InvalidStatusLine,
    // 400, added after the first contract (appended so existing values keep their numbers)
    /// <summary>A Transfer-Encoding element that is not a transfer coding at all (junk, quotes, inner spaces).</summary>
    InvalidTransferEncoding,
    /// <summary>Transfer-Encoding in an HTTP/1.0 message: its framing is faulty (RFC 9112 §6.1).</summary>
    TransferEncodingInHttp10,
}
