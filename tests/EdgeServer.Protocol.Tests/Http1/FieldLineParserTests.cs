using EdgeServer.Protocol.Http1;
using static EdgeServer.Protocol.Tests.Http1.RequestHarness;

namespace EdgeServer.Protocol.Tests.Http1;

/// <summary>Header field syntax (RFC 9112 §5), shared by requests and responses; limits on the header block.</summary>
public class FieldLineParserTests
{
    private const string Line = "GET / HTTP/1.1\r\nHost: a\r\n";

    [Theory]
    [InlineData("X-A: v", "v")]
    [InlineData("X-A:v", "v")]
    [InlineData("X-A:   v  ", "v")]
    [InlineData("X-A:\t v \t", "v")]
    [InlineData("X-A: a b\tc", "a b\tc")]
    [InlineData("X-A:", "")]
    [InlineData("X-A:   ", "")]
    [InlineData("X-A: caf\u00e9 \u00ff", "caf\u00e9 \u00ff")] // obs-text is allowed in values
    [InlineData("X-A: \"quoted, list\"; q=1", "\"quoted, list\"; q=1")]
    [InlineData("!#$%&'*+-.^_`|~09azAZ: v", "v")]
    public void Value_offsets_exclude_surrounding_whitespace(string field, string value)
    {
        var head = Complete(Line + field + "\r\n\r\n");
        Assert.Equal(2, head.HeaderCount);
        Assert.Equal(field[..field.IndexOf(':')], Str(head.Name(1)));
        Assert.Equal(value, Str(head.Value(1)));
    }

    [Theory]
    [InlineData("X-A : v", HttpParseError.WhitespaceBeforeColon)]
    [InlineData("X-A\t: v", HttpParseError.WhitespaceBeforeColon)]
    [InlineData("Transfer-Encoding : chunked", HttpParseError.WhitespaceBeforeColon)]
    [InlineData(" X-A: v", HttpParseError.ObsoleteLineFolding)]
    [InlineData("\tX-A: v", HttpParseError.ObsoleteLineFolding)]
    [InlineData(": v", HttpParseError.InvalidHeaderName)]
    [InlineData("X(A): v", HttpParseError.InvalidHeaderName)]
    [InlineData("X\u00e9: v", HttpParseError.InvalidHeaderName)]
    [InlineData("X-A v", HttpParseError.WhitespaceBeforeColon)]
    [InlineData("X-A", HttpParseError.InvalidHeaderName)]   // a line without a colon
    [InlineData("X-A: a\0b", HttpParseError.InvalidHeaderValue)]
    [InlineData("X-A: a\u0001b", HttpParseError.InvalidHeaderValue)]
    [InlineData("X-A: a\u007fb", HttpParseError.InvalidHeaderValue)]
    [InlineData("X-A: a\u001bb", HttpParseError.InvalidHeaderValue)]
    [InlineData("X-A: a\rb", HttpParseError.BareCarriageReturn)]
    [InlineData("X-A: a\nb", HttpParseError.BareLineFeed)]
    public void Refuses_malformed_field_lines(string field, HttpParseError expected)
    {
        Error(Line + field + "\r\n\r\n", expected);
    }

    [Fact]
    public void Obs_fold_continuation_is_refused()
    {
        Error("GET / HTTP/1.1\r\nHost: a\r\nX-A: one\r\n two\r\n\r\n", HttpParseError.ObsoleteLineFolding);
        Error("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip,\r\n\tchunked\r\n\r\n", HttpParseError.ObsoleteLineFolding);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: a\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n\n")]
    [InlineData("GET / HTTP/1.1\r\n\nHost: a\r\n\r\n")]
    public void Bare_line_feeds_are_refused(string raw) => Error(raw, HttpParseError.BareLineFeed);

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n\rX")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\r\n\r\n")]
    public void Bare_carriage_returns_are_refused(string raw) => Error(raw, HttpParseError.BareCarriageReturn);

    [Theory]
    [InlineData("host", KnownHeader.Host)]
    [InlineData("HOST", KnownHeader.Host)]
    [InlineData("content-length", KnownHeader.ContentLength)]
    [InlineData("Transfer-Encoding", KnownHeader.TransferEncoding)]
    [InlineData("CONNECTION", KnownHeader.Connection)]
    [InlineData("Keep-Alive", KnownHeader.KeepAlive)]
    [InlineData("Proxy-Connection", KnownHeader.ProxyConnection)]
    [InlineData("TE", KnownHeader.TE)]
    [InlineData("Trailer", KnownHeader.Trailer)]
    [InlineData("Upgrade", KnownHeader.Upgrade)]
    [InlineData("Expect", KnownHeader.Expect)]
    [InlineData("X-Forwarded-For", KnownHeader.XForwardedFor)]
    [InlineData("x-forwarded-proto", KnownHeader.XForwardedProto)]
    [InlineData("X-Forwarded-Host", KnownHeader.XForwardedHost)]
    [InlineData("X-Request-ID", KnownHeader.XRequestId)]
    [InlineData("Content-Type", KnownHeader.ContentType)]
    [InlineData("Date", KnownHeader.Date)]
    [InlineData("Server", KnownHeader.Server)]
    [InlineData("Sec-WebSocket-Key", KnownHeader.SecWebSocketKey)]
    [InlineData("Sec-WebSocket-Version", KnownHeader.SecWebSocketVersion)]
    [InlineData("Sec-WebSocket-Accept", KnownHeader.SecWebSocketAccept)]
    [InlineData("Sec-WebSocket-Protocol", KnownHeader.SecWebSocketProtocol)]
    [InlineData("sec-websocket-extensions", KnownHeader.SecWebSocketExtensions)]
    [InlineData("Hosts", KnownHeader.Other)]
    [InlineData("Content-Lengt", KnownHeader.Other)]
    [InlineData("Content_Length", KnownHeader.Other)]
    [InlineData("X-Forwarded-Fox", KnownHeader.Other)]
    [InlineData("Ｈost", KnownHeader.Other)]
    public void Identifies_known_headers_case_insensitively(string name, KnownHeader expected)
    {
        var bytes = Encoding.UTF8.GetBytes(name);
        Assert.Equal(expected, KnownHeaders.Identify(bytes));
    }

    [Fact]
    public void Known_header_is_set_on_parsed_fields()
    {
        var head = Complete("GET / HTTP/1.1\r\nhOsT: a\r\nx-forwarded-for: 1.2.3.4\r\nX-Other: 1\r\n\r\n");
        Assert.Equal(KnownHeader.Host, head.Fields[0].Known);
        Assert.Equal(KnownHeader.XForwardedFor, head.Fields[1].Known);
        Assert.Equal(KnownHeader.Other, head.Fields[2].Known);
        Assert.Equal(1, head.IndexOf(KnownHeader.XForwardedFor));
        Assert.Equal(2, head.IndexOf("x-other"u8));
    }

    [Fact]
    public void Header_block_larger_than_the_limit_is_431()
    {
        var limits = new HttpParserLimits(64, 64, 100);
        Error("GET / HTTP/1.1\r\nHost: a\r\nX-A: " + new string('v', 60) + "\r\n\r\n", HttpParseError.HeadersTooLarge, limits);
        Assert.Equal(431, HttpParseErrors.StatusCode(HttpParseError.HeadersTooLarge));
    }

    [Fact]
    public void Many_small_fields_past_the_byte_limit_are_431()
    {
        var limits = new HttpParserLimits(64, 64, 100);
        var sb = new StringBuilder("GET / HTTP/1.1\r\nHost: a\r\n");
        for (var i = 0; i < 12; i++) sb.Append("X: 1\r\n");
        Error(sb + "\r\n", HttpParseError.HeadersTooLarge, limits);
    }

    [Fact]
    public void Header_block_exactly_at_the_limit_is_accepted()
    {
        var limits = new HttpParserLimits(64, 64, 100);
        var field = "X-A: " + new string('v', 64 - 9 - 7) + "\r\n"; // "Host: a\r\n" is 9 bytes
        Assert.Equal(64, 9 + field.Length);
        Complete("GET / HTTP/1.1\r\nHost: a\r\n" + field + "\r\n", limits);
        Error("GET / HTTP/1.1\r\nHost: a\r\n" + field.Insert(5, "v") + "\r\n", HttpParseError.HeadersTooLarge, limits);
    }

    [Fact]
    public void More_fields_than_the_count_limit_is_431()
    {
        var limits = new HttpParserLimits(64, 1024, 3);
        Complete("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\n\r\n", limits);
        Error("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", HttpParseError.TooManyHeaders, limits);
        Assert.Equal(431, HttpParseErrors.StatusCode(HttpParseError.TooManyHeaders));
    }

    [Fact]
    public void Many_fields_are_all_recorded()
    {
        var sb = new StringBuilder("GET / HTTP/1.1\r\nHost: a\r\n");
        for (var i = 0; i < 99; i++) sb.Append($"X-{i}: value-{i}\r\n");
        var head = Complete(sb + "\r\n");
        Assert.Equal(100, head.HeaderCount);
        Assert.Equal("X-98", Str(head.Name(99)));
        Assert.Equal("value-98", Str(head.Value(99)));
    }
}
