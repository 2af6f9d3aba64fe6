namespace EdgeServer.Protocol.Http1;

// The per-byte transitions of the chunk-size line, the data terminator and the trailer section.
public partial struct ChunkedBodyDecoder
{
    private enum State : byte
    {
        SizeStart = 0,       // first HEXDIG of a chunk size
        Size,                // more HEXDIG, or what ends the size
        BwsBeforeSemicolon,  // whitespace after a size or an extension value: only ';' may follow
        ExtNameStart,        // after ';': BWS, then a token
        ExtName,
        BwsAfterName,        // whitespace after a name: '=' or ';' must follow
        ExtValueStart,       // after '=': BWS, then a token or a quoted-string
        ExtTokenValue,
        ExtQuoted,
        ExtQuotedEscape,
        AfterExtValue,       // after a closing quote
        SizeLF,
        Data,
        DataCR,
        DataLF,
        TrailerLineStart,
        TrailerName,
        TrailerValue,
        TrailerLF,
        FinalLF,
        Done,
        Failed,
    }

    private void Step(byte b, long maxDataBytes)
    {
        if (_state < State.SizeLF || _state == State.SizeLF)
        {
            if (++_lineBytes > MaxChunkLineBytes)
            {
                Fail(_state is State.SizeStart or State.Size ? HttpParseError.InvalidChunkSize : HttpParseError.InvalidChunkExtension);
                return;
            }
        }
        else if (_state >= State.TrailerLineStart && ++_lineBytes > MaxTrailerBytes)
        {
            Fail(HttpParseError.InvalidTrailer);
            return;
        }

        switch (_state)
        {
            case State.SizeStart:
                if (!HttpChars.IsHex(b)) { Fail(HttpParseError.InvalidChunkSize); return; }
                _size = HttpChars.HexValue(b);
                _state = State.Size;
                return;
            case State.Size:
                if (HttpChars.IsHex(b))
                {
                    if (_size > long.MaxValue >> 4) { Fail(HttpParseError.ChunkSizeOverflow); return; }
                    _size = _size << 4 | (long)HttpChars.HexValue(b);
                    return;
                }
                // The size is complete: check the body limit before any of its data arrives.
                if (b is (byte)';' or HttpChars.SP or HttpChars.HTAB or HttpChars.CR && _size > maxDataBytes - DataBytes)
                {
                    Fail(HttpParseError.BodyTooLarge);
                    return;
                }
                _state = b switch
                {
                    (byte)';' => State.ExtNameStart,
                    HttpChars.SP or HttpChars.HTAB => State.BwsBeforeSemicolon,
                    HttpChars.CR => State.SizeLF,
                    _ => State.Failed,
                };
                if (_state == State.Failed) Fail(HttpParseError.InvalidChunkSize);
                return;
            case State.BwsBeforeSemicolon:
                if (HttpChars.IsWhitespace(b)) return;
                Expect(b == (byte)';', State.ExtNameStart);
                return;
            case State.ExtNameStart:
                if (HttpChars.IsWhitespace(b)) return;
                Expect(HttpChars.Token.Contains(b), State.ExtName);
                return;
            case State.ExtName:
                if (HttpChars.Token.Contains(b)) return;
                AfterToken(b, whitespaceState: State.BwsAfterName, allowEquals: true);
                return;
            case State.BwsAfterName:
                if (HttpChars.IsWhitespace(b)) return;
                if (b == (byte)'=') _state = State.ExtValueStart;
                else Expect(b == (byte)';', State.ExtNameStart);
                return;
            case State.ExtValueStart:
                if (HttpChars.IsWhitespace(b)) return;
                if (b == (byte)'"') _state = State.ExtQuoted;
                else Expect(HttpChars.Token.Contains(b), State.ExtTokenValue);
                return;
            case State.ExtTokenValue:
                if (HttpChars.Token.Contains(b)) return;
                AfterToken(b, whitespaceState: State.BwsBeforeSemicolon, allowEquals: false);
                return;
            case State.ExtQuoted:
                // qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
                if (b == (byte)'"') _state = State.AfterExtValue;
                else if (b == (byte)'\\') _state = State.ExtQuotedEscape;
                else if (b is HttpChars.HTAB or >= 0x20 and not 0x7F) return;
                else Fail(HttpParseError.InvalidChunkExtension);
                return;
            case State.ExtQuotedEscape:
                // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
                Expect(b is HttpChars.HTAB or >= 0x20 and not 0x7F, State.ExtQuoted);
                return;
            case State.AfterExtValue:
                AfterToken(b, whitespaceState: State.BwsBeforeSemicolon, allowEquals: false);
                return;
            case State.SizeLF:
                if (b != HttpChars.LF) { Fail(HttpParseError.InvalidChunkSize); return; }
                _lineBytes = 0;
                _state = _size == 0 ? State.TrailerLineStart : State.Data;
                return;
            case State.DataCR:
                if (b != HttpChars.CR) { Fail(HttpParseError.InvalidChunkTerminator); return; }
                _state = State.DataLF;
                return;
            case State.DataLF:
                if (b != HttpChars.LF) { Fail(HttpParseError.InvalidChunkTerminator); return; }
                _state = State.SizeStart;
                return;
            case State.TrailerLineStart:
                // No obs-fold, no whitespace before the name: the same field syntax as the head.
                if (b == HttpChars.CR) _state = State.FinalLF;
                else Expect(HttpChars.Token.Contains(b), State.TrailerName, HttpParseError.InvalidTrailer);
                return;
            case State.TrailerName:
                if (HttpChars.Token.Contains(b)) return;
                Expect(b == (byte)':', State.TrailerValue, HttpParseError.InvalidTrailer);
                return;
            case State.TrailerValue:
                if (b == HttpChars.CR) _state = State.TrailerLF;
                else if (HttpChars.FieldValueStop.Contains(b)) Fail(HttpParseError.InvalidTrailer);
                return;
            case State.TrailerLF:
                Expect(b == HttpChars.LF, State.TrailerLineStart, HttpParseError.InvalidTrailer);
                return;
            case State.FinalLF:
                Expect(b == HttpChars.LF, State.Done, HttpParseError.InvalidTrailer);
                return;
            default:
                Fail(HttpParseError.InvalidChunkSize);
                return;
        }
    }

    /// <summary>What may follow an extension name or value: BWS, ';', CR, and '=' after a name.</summary>
    private void AfterToken(byte b, State whitespaceState, bool allowEquals)
    {
        if (HttpChars.IsWhitespace(b)) _state = whitespaceState;
        else if (b == (byte)';') _state = State.ExtNameStart;
        else if (b == HttpChars.CR) _state = State.SizeLF;
        else if (allowEquals && b == (byte)'=') _state = State.ExtValueStart;
        else Fail(HttpParseError.InvalidChunkExtension);
    }

    private void Expect(bool ok, State next, HttpParseError otherwise = HttpParseError.InvalidChunkExtension)
    {
        if (ok) _state = next;
        else Fail(otherwise);
    }

    private void Fail(HttpParseError error)
    {
        Error = error;
        _state = State.Failed;
    }
}
