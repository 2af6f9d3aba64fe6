namespace EdgeServer.Protocol.Http1;

/// <summary>
/// request-line = method SP request-target SP HTTP-version CRLF (RFC 9112 §3), exactly single SPs.
/// The whole line including its CRLF must fit in MaxStartLineBytes; nothing past that is looked at.
/// </summary>
internal static class RequestLine
{
    private static ReadOnlySpan<byte> VersionPrefix => "HTTP/"u8;

    public static ParseStatus Parse(ReadOnlySpan<byte> data, int maxLineBytes, RequestHead head, out int lineLength, out HttpParseError error)
    {
        lineLength = 0;
        error = HttpParseError.None;
        var windowFull = data.Length >= maxLineBytes;
        var line = windowFull ? data[..maxLineBytes] : data;

        var methodLength = line.IndexOfAnyExcept(HttpChars.Token);
        if (methodLength < 0) return More(windowFull, out error);
        if (methodLength == 0) return Fail(Misplaced(line[0], HttpParseError.InvalidMethod), out error);
        if (line[methodLength] != HttpChars.SP) return Fail(Misplaced(line[methodLength], HttpParseError.InvalidMethod), out error);
        var method = KnownMethods.Identify(line[..methodLength]);
        head.Method = method;
        head.MethodLength = methodLength;

        var targetStart = methodLength + 1;
        var targetLength = line[targetStart..].IndexOfAnyExcept(HttpChars.Target);
        if (targetLength < 0) return More(windowFull, out error);
        if (targetLength == 0) return Fail(Misplaced(line[targetStart], HttpParseError.InvalidTarget), out error);
        var versionStart = targetStart + targetLength;
        if (line[versionStart] != HttpChars.SP) return Fail(Misplaced(line[versionStart], HttpParseError.InvalidTarget), out error);
        if (!RequestTarget.Parse(line, targetStart, targetLength, method, head)) return Fail(HttpParseError.InvalidTarget, out error);
        versionStart++;

        // "HTTP/" DIGIT "." DIGIT CR LF, checked byte by byte so a broken version fails before the line ends.
        for (var k = 0; k < 10; k++)
        {
            if (versionStart + k >= line.Length) return More(windowFull, out error);
            var b = line[versionStart + k];
            var ok = k switch
            {
                < 5 => b == VersionPrefix[k],
                5 or 7 => HttpChars.IsDigit(b),
                6 => b == (byte)'.',
                8 => b == HttpChars.CR,
                _ => b == HttpChars.LF,
            };
            if (ok) continue;
            return Fail(k switch
            {
                0 when HttpChars.IsWhitespace(b) => HttpParseError.InvalidRequestLine, // double SP before the version
                8 when b == HttpChars.LF => HttpParseError.BareLineFeed,
                9 => HttpParseError.BareCarriageReturn,
                _ => HttpParseError.InvalidVersion,
            }, out error);
        }

        // Another major version is a protocol we do not speak (505). Minor versions of 1 are compatible
        // (RFC 9110 §2.5): "HTTP/1.2" is handled as the highest we support, 1.1.
        if (line[versionStart + 5] != (byte)'1') return Fail(HttpParseError.UnsupportedVersion, out error);
        head.Version = line[versionStart + 7] == (byte)'0' ? HttpVersion.Http10 : HttpVersion.Http11;
        lineLength = versionStart + 10;
        return ParseStatus.Complete;
    }

    /// <summary>The error for a byte where a token or target should have ended with SP.</summary>
    private static HttpParseError Misplaced(byte b, HttpParseError otherwise) => b switch
    {
        HttpChars.LF => HttpParseError.BareLineFeed,
        HttpChars.CR or HttpChars.SP or HttpChars.HTAB => HttpParseError.InvalidRequestLine, // missing part, double SP, tab separator
        _ => otherwise,
    };

    private static ParseStatus More(bool windowFull, out HttpParseError error)
    {
        error = windowFull ? HttpParseError.RequestLineTooLong : HttpParseError.None;
        return windowFull ? ParseStatus.Error : ParseStatus.Incomplete;
    }

    private static ParseStatus Fail(HttpParseError reason, out HttpParseError error)
    {
        error = reason;
        return ParseStatus.Error;
    }
}
