namespace EdgeServer.Protocol.Http1;

/// <summary>Status code and a short, stable, human-readable reason for every parse error.</summary>
public static class HttpParseErrors
{
    public static int StatusCode(HttpParseError error) => error switch
    {
        HttpParseError.None => 200,
        HttpParseError.BodyTooLarge => 413,
        HttpParseError.RequestLineTooLong => 414,
        HttpParseError.HeadersTooLarge or HttpParseError.TooManyHeaders => 431,
        HttpParseError.UnsupportedTransferEncoding => 501,
        HttpParseError.UnsupportedVersion => 505,
        HttpParseError.InvalidStatusLine => 502,
        _ => 400,
    };

    public static string Reason(HttpParseError error) => error switch
    {
        HttpParseError.None => "ok",
        HttpParseError.InvalidRequestLine => "malformed request line",
        HttpParseError.InvalidMethod => "method is not a token",
        HttpParseError.InvalidTarget => "invalid request target",
        HttpParseError.InvalidVersion => "invalid HTTP version",
        HttpParseError.BareLineFeed => "line ends with LF without CR",
        HttpParseError.BareCarriageReturn => "CR not followed by LF",
        HttpParseError.InvalidHeaderName => "header name is not a token",
        HttpParseError.WhitespaceBeforeColon => "whitespace between header name and colon",
        HttpParseError.ObsoleteLineFolding => "obsolete line folding",
        HttpParseError.InvalidHeaderValue => "invalid character in header value",
        HttpParseError.MissingHost => "HTTP/1.1 request without Host",
        HttpParseError.DuplicateHost => "more than one Host header",
        HttpParseError.InvalidHost => "invalid Host header",
        HttpParseError.InvalidContentLength => "invalid Content-Length",
        HttpParseError.ConflictingContentLength => "conflicting Content-Length values",
        HttpParseError.ContentLengthWithTransferEncoding => "both Content-Length and Transfer-Encoding",
        HttpParseError.ChunkedNotLast => "chunked is not the final transfer coding",
        HttpParseError.InvalidChunkSize => "invalid chunk size",
        HttpParseError.ChunkSizeOverflow => "chunk size overflow",
        HttpParseError.InvalidChunkExtension => "invalid chunk extension",
        HttpParseError.InvalidChunkTerminator => "chunk data not followed by CRLF",
        HttpParseError.InvalidTrailer => "invalid trailer field",
        HttpParseError.BodyTooLarge => "request body too large",
        HttpParseError.RequestLineTooLong => "request line too long",
        HttpParseError.HeadersTooLarge => "request header fields too large",
        HttpParseError.TooManyHeaders => "too many header fields",
        HttpParseError.UnsupportedTransferEncoding => "transfer coding not implemented",
        HttpParseError.UnsupportedVersion => "HTTP version not supported",
        HttpParseError.InvalidStatusLine => "malformed response from upstream",
        HttpParseError.InvalidTransferEncoding => "malformed Transfer-Encoding",
        HttpParseError.TransferEncodingInHttp10 => "Transfer-Encoding in an HTTP/1.0 message",
        _ => "bad request",
    };
}
