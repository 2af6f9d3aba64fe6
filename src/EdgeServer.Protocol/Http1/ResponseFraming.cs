namespace EdgeServer.Protocol.Http1;

/// <summary>
/// The response fields that decide framing and reuse of the upstream connection (RFC 9112 §6.3), checked
/// per field line and at the end of the head.
/// </summary>
internal struct ResponseFraming
{
    private TransferCodings _codings;
    private bool _close, _keepAlive, _upgrade;

    public HttpParseError Apply(ResponseHead head, ReadOnlySpan<byte> data, in HeaderField field)
    {
        var value = data.Slice(field.ValueStart, field.ValueLength);
        switch (field.Known)
        {
            case KnownHeader.ContentLength:
                var contentLength = head.ContentLength;
                var lengthError = FieldValues.ApplyContentLength(value, ref contentLength);
                if (lengthError != HttpParseError.None) return lengthError;
                head.ContentLength = contentLength;
                break;
            case KnownHeader.TransferEncoding:
                _codings.Add(value);
                break;
            case KnownHeader.Connection:
                FieldValues.ReadConnectionOptions(value, ref _close, ref _keepAlive, ref _upgrade);
                break;
        }
        return HttpParseError.None;
    }

    public readonly HttpParseError Complete(ResponseHead head)
    {
        var http11 = head.Version == HttpVersion.Http11;
        head.KeepAlive = http11 ? !_close : _keepAlive && !_close;
        head.ConnectionUpgrade = _upgrade;
        if (!_codings.Present) return HttpParseError.None;

        // RFC 9112 §6.3 lets Transfer-Encoding override Content-Length in a response; we refuse the message
        // instead (502), since a response framed two ways is either a broken or a hostile upstream.
        if (head.ContentLength >= 0) return HttpParseError.ContentLengthWithTransferEncoding;
        if (!http11) return HttpParseError.TransferEncodingInHttp10;
        // Junk or empty elements could be read as chunked by the client and not by us: refuse, never guess.
        if (_codings.Malformed || _codings.Empty) return HttpParseError.InvalidTransferEncoding;
        if (_codings.ChunkedCount > 1) return HttpParseError.ChunkedNotLast;
        head.IsChunked = _codings.LastIsChunked;
        // Chunked not final: the body runs until close (RFC 9112 §6.3 rule 4), so the connection cannot be reused.
        if (!head.IsChunked) head.KeepAlive = false;
        return HttpParseError.None;
    }
}
