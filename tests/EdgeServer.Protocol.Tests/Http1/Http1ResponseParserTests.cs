using EdgeServer.Protocol.Http1;
using static EdgeServer.Protocol.Tests.Http1.ResponseHarness;

namespace EdgeServer.Protocol.Tests.Http1;

/// <summary>Upstream response heads: status line, framing (RFC 9112 §6.3) and connection reuse.</summary>
public class Http1ResponseParserTests
{
    private static string Str(ReadOnlySpan<byte> b) => RequestHarness.Str(b);

    [Fact]
    public void Parses_a_typical_response()
    {
        var head = Complete("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 12\r\nServer: x\r\n\r\nhello world!");
        Assert.Equal(HttpVersion.Http11, head.Version);
        Assert.Equal(200, head.StatusCode);
        Assert.Equal("OK", Str(head.Reason));
        Assert.Equal(12, head.ContentLength);
        Assert.Equal(3, head.HeaderCount);
        Assert.Equal(KnownHeader.ContentType, head.Fields[0].Known);
        Assert.Equal("text/plain", Str(head.Value(0)));
        Assert.True(head.KeepAlive);
        Assert.Equal(BodyFraming.ContentLength, head.GetFraming(KnownMethod.Get));
        Assert.Equal(BodyFraming.None, head.GetFraming(KnownMethod.Head));
        Assert.Equal(head.Length, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 12\r\nServer: x\r\n\r\n".Length);
    }

    [Theory]
    [InlineData("HTTP/1.1 404 Not Found", 404, "Not Found")]
    [InlineData("HTTP/1.1 200 ", 200, "")]
    [InlineData("HTTP/1.1 200", 200, "")]               // no reason and no SP: tolerated
    [InlineData("HTTP/1.0 503 Service\tUnavailable", 503, "Service\tUnavailable")]
    [InlineData("HTTP/1.1 100 Continue", 100, "Continue")]
    [InlineData("HTTP/1.1 599 x", 599, "x")]
    [InlineData("HTTP/1.1 200 \u00c7a va", 200, "\u00c7a va")]
    public void Parses_status_lines(string line, int status, string reason)
    {
        var head = Complete(line + "\r\nContent-Length: 0\r\n\r\n");
        Assert.Equal(status, head.StatusCode);
        Assert.Equal(reason, Str(head.Reason));
    }

    [Theory]
    [InlineData("HTTP/1.1 99 x", HttpParseError.InvalidStatusLine)]
    [InlineData("HTTP/1.1 099 x", HttpParseError.InvalidStatusLine)]
    [InlineData("HTTP/1.1 600 x", HttpParseError.InvalidStatusLine)]
    [InlineData("HTTP/1.1 2000 x", HttpParseError.InvalidStatusLine)]
    [InlineData("HTTP/1.1  200 x", HttpParseError.InvalidStatusLine)]
    [InlineData("HTTP/1.1 20x OK", HttpParseError.InvalidStatusLine)]
    [InlineData("http/1.1 200 OK", HttpParseError.InvalidStatusLine)]
    [InlineData("HTTP/1.1\t200 OK", HttpParseError.InvalidStatusLine)]
    [InlineData("HTTP/1.1 200 O\u0001K", HttpParseError.InvalidStatusLine)]
    [InlineData("HTTP/1.1 200 OK\rX", HttpParseError.BareCarriageReturn)]
    [InlineData("HTTP/2.0 200 OK", HttpParseError.UnsupportedVersion)]
    [InlineData("ICY 200 OK", HttpParseError.InvalidStatusLine)]
    public void Refuses_malformed_status_lines(string line, HttpParseError expected)
    {
        Error(line + "\r\nContent-Length: 0\r\n\r\n", expected);
    }

    [Fact]
    public void Bare_line_feed_ends_nothing()
    {
        Error("HTTP/1.1 200 OK\n\r\n", HttpParseError.BareLineFeed);
        Error("HTTP/1.1 200 OK\r\nContent-Length: 0\n\r\n", HttpParseError.BareLineFeed);
    }

    [Fact]
    public void Status_line_longer_than_the_limit_is_refused()
    {
        var limits = new HttpParserLimits(32, 64, 10);
        Error("HTTP/1.1 200 " + new string('x', 40) + "\r\n\r\n", HttpParseError.InvalidStatusLine, limits);
    }

    [Fact]
    public void Field_rules_are_the_same_as_for_requests()
    {
        Error("HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\n", HttpParseError.WhitespaceBeforeColon);
        Error("HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n", HttpParseError.ObsoleteLineFolding);
        Error("HTTP/1.1 200 OK\r\nX: a\0\r\n\r\n", HttpParseError.InvalidHeaderValue);
        Error("HTTP/1.1 200 OK\r\nSet-Cookie: " + new string('a', 100) + "\r\n\r\n", HttpParseError.HeadersTooLarge, new HttpParserLimits(64, 64, 10));
        Error("HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\n\r\n", HttpParseError.TooManyHeaders, new HttpParserLimits(64, 64, 1));
    }

    [Theory]
    [InlineData("Content-Length: 5", "Content-Length: 6", HttpParseError.ConflictingContentLength)]
    [InlineData("Content-Length: 5, 6", "X: 1", HttpParseError.ConflictingContentLength)]
    [InlineData("Content-Length: +5", "X: 1", HttpParseError.InvalidContentLength)]
    [InlineData("Content-Length: 5", "Transfer-Encoding: chunked", HttpParseError.ContentLengthWithTransferEncoding)]
    [InlineData("Transfer-Encoding: chunked", "Transfer-Encoding: chunked", HttpParseError.ChunkedNotLast)]
    [InlineData("Transfer-Encoding: chunked,", "X: 1", HttpParseError.InvalidTransferEncoding)]
    [InlineData("Transfer-Encoding: \"chunked\"", "X: 1", HttpParseError.InvalidTransferEncoding)]
    public void Ambiguous_framing_is_refused(string a, string b, HttpParseError expected)
    {
        Error($"HTTP/1.1 200 OK\r\n{a}\r\n{b}\r\n\r\n", expected);
    }

    [Fact]
    public void Equal_content_lengths_are_one()
    {
        Assert.Equal(5, Complete("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5, 5\r\n\r\n").ContentLength);
    }

    [Theory]
    [InlineData("chunked", true)]
    [InlineData("Chunked ", true)]
    [InlineData("gzip, chunked", true)]
    [InlineData("gzip", false)]
    [InlineData("chunked, gzip", false)]
    [InlineData("chunked;x=1", false)]
    public void Transfer_encoding_chunked_last_is_chunked_otherwise_close_delimited(string value, bool chunked)
    {
        var head = Complete($"HTTP/1.1 200 OK\r\nTransfer-Encoding: {value}\r\n\r\n");
        Assert.Equal(chunked, head.IsChunked);
        Assert.Equal(chunked ? BodyFraming.Chunked : BodyFraming.CloseDelimited, head.GetFraming(KnownMethod.Get));
        Assert.Equal(chunked, head.KeepAlive); // a close-delimited body ends the connection
    }

    [Fact]
    public void Transfer_encoding_in_http10_response_is_refused()
    {
        Error("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", HttpParseError.TransferEncodingInHttp10);
    }

    [Theory]
    [InlineData("HTTP/1.1", "", true)]
    [InlineData("HTTP/1.1", "Connection: close\r\n", false)]
    [InlineData("HTTP/1.1", "Connection: foo, CLOSE\r\n", false)]
    [InlineData("HTTP/1.0", "", false)]
    [InlineData("HTTP/1.0", "Connection: keep-alive\r\n", true)]
    [InlineData("HTTP/1.0", "Connection: keep-alive, close\r\n", false)]
    public void Keep_alive_follows_version_and_connection(string version, string field, bool expected)
    {
        Assert.Equal(expected, Complete($"{version} 200 OK\r\n{field}Content-Length: 0\r\n\r\n").KeepAlive);
    }

    [Theory]
    [InlineData(204, KnownMethod.Get, BodyFraming.None)]
    [InlineData(304, KnownMethod.Get, BodyFraming.None)]
    [InlineData(100, KnownMethod.Get, BodyFraming.None)]
    [InlineData(200, KnownMethod.Head, BodyFraming.None)]
    [InlineData(200, KnownMethod.Connect, BodyFraming.None)]
    [InlineData(200, KnownMethod.Get, BodyFraming.CloseDelimited)]
    [InlineData(404, KnownMethod.Connect, BodyFraming.CloseDelimited)]
    public void Framing_without_length_depends_on_status_and_method(int status, KnownMethod method, BodyFraming expected)
    {
        Assert.Equal(expected, Complete($"HTTP/1.1 {status} X\r\n\r\n").GetFraming(method));
    }

    [Fact]
    public void Switching_protocols_is_recognised()
    {
        var head = Complete("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n");
        Assert.Equal(101, head.StatusCode);
        Assert.True(head.ConnectionUpgrade);
        Assert.False(head.IsInterim);
        Assert.Equal(KnownHeader.SecWebSocketAccept, head.Fields[2].Known);
    }

    [Fact]
    public void Interim_response_is_parsed_alone_and_the_final_one_follows()
    {
        const string interim = "HTTP/1.1 100 Continue\r\n\r\n";
        const string final = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
        var head = Complete(interim + final);
        Assert.True(head.IsInterim);
        Assert.Equal(interim.Length, head.Length);
    }
}
