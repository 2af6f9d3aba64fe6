namespace EdgeServer.Protocol.Http1;

/// <summary>
/// status-line = HTTP-version SP 3DIGIT SP [ reason-phrase ] CRLF (RFC 9112 §4). A missing reason
/// together with its SP is tolerated (some servers send "HTTP/1.1 200\r\n"). The line including its CRLF
/// fits in MaxStartLineBytes. Malformed lines are InvalidStatusLine (the proxy answers 502 to any error).
/// </summary>
internal static class StatusLine
{
    private static ReadOnlySpan<byte> VersionPrefix => "HTTP/"u8;

    public static ParseStatus Parse(ReadOnlySpan<byte> data, int maxLineBytes, ResponseHead head, out int lineLength, out HttpParseError error)
    {
        lineLength = 0;
        error = HttpParseError.None;
        var windowFull = data.Length >= maxLineBytes;
        var line = windowFull ? data[..maxLineBytes] : data;

        // "HTTP/" DIGIT "." DIGIT SP 3DIGIT, byte by byte so junk fails at once.
        for (var k = 0; k < 12; k++)
        {
            if (k >= line.Length) return More(windowFull, out error);
            var b = line[k];
            var ok = k switch
            {
                < 5 => b == VersionPrefix[k],
                5 or 7 or 9 or 10 or 11 => HttpChars.IsDigit(b),
                6 => b == (byte)'.',
                _ => b == HttpChars.SP,
            };
            if (!ok) return Fail(b == HttpChars.LF ? HttpParseError.BareLineFeed : HttpParseError.InvalidStatusLine, out error);
            if (k == 7 && line[5] != (byte)'1') return Fail(HttpParseError.UnsupportedVersion, out error);
        }
        var status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
        if (status is < 100 or > 599) return Fail(HttpParseError.InvalidStatusLine, out error);
        head.Version = line[7] == (byte)'0' ? HttpVersion.Http10 : HttpVersion.Http11;
        head.StatusCode = status;

        if (line.Length == 12) return More(windowFull, out error);
        var reasonStart = 12;
        if (line[12] == HttpChars.SP)
        {
            reasonStart = 13;
        }
        else if (line[12] != HttpChars.CR)
        {
            return Fail(line[12] == HttpChars.LF ? HttpParseError.BareLineFeed : HttpParseError.InvalidStatusLine, out error);
        }

        var stop = line[reasonStart..].IndexOfAny(HttpChars.FieldValueStop);
        if (stop < 0) return More(windowFull, out error);
        var cr = reasonStart + stop;
        if (line[cr] == HttpChars.LF) return Fail(HttpParseError.BareLineFeed, out error);
        if (line[cr] != HttpChars.CR) return Fail(HttpParseError.InvalidStatusLine, out error);
        if (cr + 1 >= line.Length) return More(windowFull, out error);
        if (line[cr + 1] != HttpChars.LF) return Fail(HttpParseError.BareCarriageReturn, out error);

        head.ReasonStart = reasonStart;
        head.ReasonLength = cr - reasonStart;
        lineLength = cr + 2;
        return ParseStatus.Complete;
    }

    // A status line that does not end within the limit is not one we can relay.
    private static ParseStatus More(bool windowFull, out HttpParseError error)
    {
        error = windowFull ? HttpParseError.InvalidStatusLine : HttpParseError.None;
        return windowFull ? ParseStatus.Error : ParseStatus.Incomplete;
    }

    private static ParseStatus Fail(HttpParseError reason, out HttpParseError error)
    {
        error = reason;
        return ParseStatus.Error;
    }
}
