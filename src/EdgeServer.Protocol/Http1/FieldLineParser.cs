namespace EdgeServer.Protocol.Http1;

internal enum LineKind : byte
{
    Incomplete = 0,
    Field,
    EndOfHead,
    Error,
}

/// <summary>
/// One field line (RFC 9112 §5): token ":" OWS value OWS CRLF, or the empty line that ends the head.
/// Shared by requests and responses. Every decision is taken at the first byte that settles it, and only
/// bytes before <c>fieldEnd</c> are looked at, so a prefix of a message never gets another answer than
/// the whole message would.
/// </summary>
internal static class FieldLineParser
{
    /// <param name="data">The head's bytes so far, from the start line on.</param>
    /// <param name="start">Where this line starts.</param>
    /// <param name="fieldEnd">First index no field line may reach (start of headers + MaxHeaderBytes); only the final CRLF may follow it.</param>
    /// <param name="countFull">No more fields are allowed: a field line here is TooManyHeaders.</param>
    public static LineKind Parse(ReadOnlySpan<byte> data, int start, int fieldEnd, bool countFull,
        out HeaderField field, out int next, out HttpParseError error)
    {
        field = default;
        next = start;
        error = HttpParseError.None;
        if (start >= data.Length) return LineKind.Incomplete;

        var first = data[start];
        if (first == HttpChars.CR)
        {
            if (start + 1 >= data.Length) return LineKind.Incomplete;
            if (data[start + 1] != HttpChars.LF) return Fail(HttpParseError.BareCarriageReturn, out error);
            next = start + 2;
            return LineKind.EndOfHead;
        }
        if (first == HttpChars.LF) return Fail(HttpParseError.BareLineFeed, out error);
        if (HttpChars.IsWhitespace(first)) return Fail(HttpParseError.ObsoleteLineFolding, out error);
        if (countFull) return Fail(HttpParseError.TooManyHeaders, out error);

        // Everything below stays inside the window; running out of it is 431 once the window is all there.
        var windowFull = data.Length >= fieldEnd;
        var window = windowFull ? data[..fieldEnd] : data;
        if (start >= window.Length) return windowFull ? Fail(HttpParseError.HeadersTooLarge, out error) : LineKind.Incomplete;

        var nameLength = window[start..].IndexOfAnyExcept(HttpChars.Token);
        if (nameLength < 0) return windowFull ? Fail(HttpParseError.HeadersTooLarge, out error) : LineKind.Incomplete;
        if (nameLength == 0) return Fail(HttpParseError.InvalidHeaderName, out error);
        var colon = start + nameLength;
        var delimiter = window[colon];
        if (delimiter != (byte)':')
        {
            return Fail(HttpChars.IsWhitespace(delimiter) ? HttpParseError.WhitespaceBeforeColon : HttpParseError.InvalidHeaderName, out error);
        }

        var valueStart = colon + 1;
        var stop = window[valueStart..].IndexOfAny(HttpChars.FieldValueStop);
        if (stop < 0) return windowFull ? Fail(HttpParseError.HeadersTooLarge, out error) : LineKind.Incomplete;
        var cr = valueStart + stop;
        var stopByte = window[cr];
        if (stopByte == HttpChars.LF) return Fail(HttpParseError.BareLineFeed, out error);
        if (stopByte != HttpChars.CR) return Fail(HttpParseError.InvalidHeaderValue, out error);
        if (cr + 1 >= window.Length) return windowFull ? Fail(HttpParseError.HeadersTooLarge, out error) : LineKind.Incomplete;
        if (window[cr + 1] != HttpChars.LF) return Fail(HttpParseError.BareCarriageReturn, out error);

        field.NameStart = start;
        field.NameLength = nameLength;
        var value = window[valueStart..cr];
        var lead = value.IndexOfAnyExcept(HttpChars.Whitespace);
        if (lead >= 0)
        {
            field.ValueStart = valueStart + lead;
            field.ValueLength = value.LastIndexOfAnyExcept(HttpChars.Whitespace) + 1 - lead;
        }
        else
        {
            field.ValueStart = cr;
        }
        field.Known = KnownHeaders.Identify(window.Slice(start, nameLength));
        next = cr + 2;
        return LineKind.Field;
    }

    private static LineKind Fail(HttpParseError reason, out HttpParseError error)
    {
        error = reason;
        return LineKind.Error;
    }
}
