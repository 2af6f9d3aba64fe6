namespace EdgeServer.Protocol.Http1;

/// <summary>
/// The request fields that decide framing, routing authority and connection reuse, checked as each field
/// line completes (<see cref="Apply"/>) and as a whole at the end of the head (<see cref="Complete"/>).
/// </summary>
internal struct RequestFraming
{
    private TransferCodings _codings;
    private bool _close, _keepAlive, _upgrade, _expectContinue;

    public HttpParseError Apply(RequestHead head, ReadOnlySpan<byte> data, in HeaderField field)
    {
        var value = data.Slice(field.ValueStart, field.ValueLength);
        switch (field.Known)
        {
            case KnownHeader.Host:
                if (head.HostIndex >= 0) return HttpParseError.DuplicateHost;
                // An empty Host is only meaningful when the target carries the authority (RFC 9112 §3.2.2).
                var valid = value.IsEmpty ? head.Form == TargetForm.Absolute : HostSyntax.IsValid(value, requirePort: false);
                if (!valid) return HttpParseError.InvalidHost;
                head.HostIndex = head.HeaderCount;
                break;
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
            case KnownHeader.Expect:
                if (Ascii.EqualsIgnoreCase(value, "100-continue"u8)) _expectContinue = true;
                break;
            case KnownHeader.Upgrade:
                if (head.UpgradeIndex < 0) head.UpgradeIndex = head.HeaderCount;
                break;
        }
        return HttpParseError.None;
    }

    public readonly HttpParseError Complete(RequestHead head)
    {
        var http11 = head.Version == HttpVersion.Http11;
        if (http11 && head.HostIndex < 0) return HttpParseError.MissingHost;
        if (_codings.Present)
        {
            // RFC 9112 §6.1/§6.3: both framings, or TE in 1.0, or chunked not last can each be read two ways
            // by two hops (request smuggling), so each is refused outright.
            if (head.ContentLength >= 0) return HttpParseError.ContentLengthWithTransferEncoding;
            if (!http11) return HttpParseError.TransferEncodingInHttp10;
            if (_codings.Malformed) return HttpParseError.InvalidTransferEncoding;
            if (_codings.ChunkedCount > 1 || (_codings.ChunkedCount == 1 && !_codings.LastIsChunked)) return HttpParseError.ChunkedNotLast;
            if (_codings.Other || _codings.Empty) return HttpParseError.UnsupportedTransferEncoding;
            head.IsChunked = true;
        }
        head.KeepAlive = http11 ? !_close : _keepAlive && !_close;
        head.ConnectionUpgrade = _upgrade;
        head.ExpectContinue = http11 && _expectContinue;
        return HttpParseError.None;
    }
}
