using EdgeServer.Protocol.Http1;
using static EdgeServer.Protocol.Tests.Http1.RequestHarness;

namespace EdgeServer.Protocol.Tests.Http1;

/// <summary>Host, Content-Length, Transfer-Encoding, Connection and Expect: the request-smuggling surface.</summary>
public class RequestFramingTests
{
    private static string Req(params string[] fields) => "POST / HTTP/1.1\r\n" + string.Concat(fields.Select(f => f + "\r\n")) + "\r\n";
    private static string Req10(params string[] fields) => "POST / HTTP/1.0\r\n" + string.Concat(fields.Select(f => f + "\r\n")) + "\r\n";

    [Fact]
    public void Http11_requires_host() => Error(Req("Accept: */*"), HttpParseError.MissingHost);

    [Fact]
    public void Http11_absolute_form_still_requires_host() =>
        Error("GET http://a/ HTTP/1.1\r\n\r\n", HttpParseError.MissingHost);

    [Fact]
    public void Http10_may_omit_host()
    {
        var head = Complete("GET / HTTP/1.0\r\n\r\n");
        Assert.Equal(-1, head.HostIndex);
        Assert.Equal(0, head.Authority.Length);
    }

    [Theory]
    [InlineData("Host: a", "Host: a")]
    [InlineData("Host: a", "Host: b")]
    [InlineData("Host: a", "host: a")]
    public void Duplicate_host_is_refused(string a, string b) => Error(Req(a, b), HttpParseError.DuplicateHost);

    [Theory]
    [InlineData("example.com")]
    [InlineData("EXAMPLE.com:8080")]
    [InlineData("localhost:1")]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:65535")]
    [InlineData("[::1]")]
    [InlineData("[::1]:443")]
    [InlineData("[2001:db8::8a2e:370:7334]")]
    [InlineData("[::ffff:192.0.2.1]")]
    [InlineData("xn--bcher-kva.example")]
    [InlineData("a_b.example")]
    [InlineData("ex%41mple.com")]
    [InlineData("a!$&'()*+,;=-._~")]
    public void Valid_hosts_are_accepted(string host)
    {
        var head = Complete(Req("Host: " + host));
        Assert.Equal(0, head.HostIndex);
        Assert.Equal(host, Str(head.Authority));
    }

    [Theory]
    [InlineData("")]
    [InlineData(":80")]
    [InlineData("a:")]
    [InlineData("a:80:80")]
    [InlineData("a:65536")]
    [InlineData("a:123456")]
    [InlineData("a:8o")]
    [InlineData("user@a")]
    [InlineData("a b")]
    [InlineData("a/b")]
    [InlineData("a?b")]
    [InlineData("a\"b")]
    [InlineData("a%4")]
    [InlineData("a%zz")]
    [InlineData("[::1")]
    [InlineData("[::1]x")]
    [InlineData("[1.2.3.4]")]
    [InlineData("[:::1]")]
    [InlineData("[1::2::3]")]
    [InlineData("[12345::1]")]
    [InlineData("[1:2:3:4:5:6:7:8:9]")]
    [InlineData("[1:2:3:4:5:6:7]")]
    [InlineData("[v1.fe80::a]")]
    [InlineData("[fe80::1%eth0]")]
    [InlineData("caf\u00e9.example")]
    public void Invalid_hosts_are_refused(string host) => Error(Req("Host: " + host), HttpParseError.InvalidHost);

    [Fact]
    public void Empty_host_is_allowed_only_with_absolute_form()
    {
        var head = Complete("GET http://a.example/ HTTP/1.1\r\nHost:\r\n\r\n");
        Assert.Equal("a.example", Str(head.Authority));
        Error("GET / HTTP/1.1\r\nHost:\r\n\r\n", HttpParseError.InvalidHost);
    }

    [Theory]
    [InlineData("Content-Length: 0", 0)]
    [InlineData("Content-Length: 42", 42)]
    [InlineData("Content-Length:42 ", 42)]
    [InlineData("Content-Length: 007", 7)]
    [InlineData("Content-Length: 5, 5", 5)]
    [InlineData("Content-Length: 5,5 , 5", 5)]
    [InlineData("Content-Length: 922337203685477579", 922337203685477579)]
    public void Content_length_is_read(string field, long expected)
    {
        var head = Complete(Req("Host: a", field));
        Assert.Equal(expected, head.ContentLength);
        Assert.Equal(expected > 0 ? BodyFraming.ContentLength : BodyFraming.None, head.BodyFraming);
    }

    [Fact]
    public void Duplicate_equal_content_lengths_are_accepted()
    {
        Assert.Equal(5, Complete(Req("Host: a", "Content-Length: 5", "content-length: 5")).ContentLength);
    }

    [Theory]
    [InlineData("Content-Length: 5", "Content-Length: 6")]
    [InlineData("Content-Length: 5", "Content-Length: 5, 6")]
    [InlineData("Content-Length: 5, 6", "Content-Length: 5")]
    [InlineData("Content-Length: 0", "Content-Length: 00, 1")]
    public void Different_content_lengths_conflict(string a, string b) =>
        Error(Req("Host: a", a, b), HttpParseError.ConflictingContentLength);

    [Theory]
    [InlineData("+1")]
    [InlineData("-1")]
    [InlineData("1 2")]
    [InlineData("0x10")]
    [InlineData("1e3")]
    [InlineData("")]
    [InlineData("5,")]
    [InlineData(",5")]
    [InlineData("5,,5")]
    [InlineData("\"5\"")]
    [InlineData("99999999999999999999")]
    [InlineData("9223372036854775807")]
    [InlineData("١٢")]
    public void Malformed_content_lengths_are_refused(string value) =>
        Error(Req("Host: a", "Content-Length: " + value), HttpParseError.InvalidContentLength);

    [Theory]
    [InlineData("chunked")]
    [InlineData("Chunked")]
    [InlineData("CHUNKED")]
    [InlineData("chunked ")]
    [InlineData(" chunked")]
    [InlineData("\tchunked")]
    [InlineData("chunked\t")]
    public void Chunked_alone_is_chunked(string value)
    {
        var head = Complete(Req("Host: a", "Transfer-Encoding: " + value));
        Assert.True(head.IsChunked);
        Assert.Equal(BodyFraming.Chunked, head.BodyFraming);
    }

    [Theory]
    [InlineData("Transfer-Encoding: chunked", "Content-Length: 5")]
    [InlineData("Content-Length: 5", "Transfer-Encoding: chunked")]
    [InlineData("Content-Length: 0", "Transfer-Encoding: chunked")]
    [InlineData("Content-Length: 5", "Transfer-Encoding: gzip")]
    [InlineData("Content-Length: 5", "Transfer-Encoding: chunked, chunked")]
    public void Content_length_with_transfer_encoding_is_refused(string a, string b)
    {
        Error(Req("Host: a", a, b), HttpParseError.ContentLengthWithTransferEncoding);
        Assert.Equal(400, HttpParseErrors.StatusCode(HttpParseError.ContentLengthWithTransferEncoding));
    }

    [Theory]
    [InlineData("chunked, gzip")]
    [InlineData("chunked, chunked")]
    [InlineData("chunked,chunked")]
    [InlineData("Chunked, identity")]
    public void Chunked_not_last_is_400(string value)
    {
        Error(Req("Host: a", "Transfer-Encoding: " + value), HttpParseError.ChunkedNotLast);
        Assert.Equal(400, HttpParseErrors.StatusCode(HttpParseError.ChunkedNotLast));
    }

    [Fact]
    public void Transfer_encoding_fields_combine_into_one_list()
    {
        Error(Req("Host: a", "Transfer-Encoding: chunked", "Transfer-Encoding: chunked"), HttpParseError.ChunkedNotLast);
        Error(Req("Host: a", "Transfer-Encoding: chunked", "Transfer-Encoding: gzip"), HttpParseError.ChunkedNotLast);
        Error(Req("Host: a", "Transfer-Encoding: gzip", "Transfer-Encoding: chunked"), HttpParseError.UnsupportedTransferEncoding);
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("gzip, chunked")]
    [InlineData("identity")]
    [InlineData("xchunked")]
    [InlineData("x-chunked")]
    [InlineData("chunkedx")]
    [InlineData("chunked;x=1")]
    [InlineData("chunked ; x=1")]
    [InlineData("")]
    [InlineData(",chunked")]
    [InlineData("chunked,")]
    [InlineData("gzip, , chunked")]
    public void Other_codings_are_501(string value)
    {
        Error(Req("Host: a", "Transfer-Encoding: " + value), HttpParseError.UnsupportedTransferEncoding);
        Assert.Equal(501, HttpParseErrors.StatusCode(HttpParseError.UnsupportedTransferEncoding));
    }

    [Theory]
    [InlineData("chunked x")]
    [InlineData("\"chunked\"")]
    [InlineData("chun ked")]
    [InlineData("chunked\u00ff")]
    [InlineData("chunked/1")]
    [InlineData("; chunked")]
    public void Malformed_transfer_coding_lists_are_400(string value)
    {
        Error(Req("Host: a", "Transfer-Encoding: " + value), HttpParseError.InvalidTransferEncoding);
        Assert.Equal(400, HttpParseErrors.StatusCode(HttpParseError.InvalidTransferEncoding));
    }

    [Fact]
    public void Transfer_encoding_in_http10_is_400()
    {
        Error(Req10("Transfer-Encoding: chunked"), HttpParseError.TransferEncodingInHttp10);
        Assert.Equal(400, HttpParseErrors.StatusCode(HttpParseError.TransferEncodingInHttp10));
    }

    [Fact]
    public void Transfer_encoding_with_control_bytes_is_refused_as_a_field_value()
    {
        Error(Req("Host: a", "Transfer-Encoding: chunked\u000b"), HttpParseError.InvalidHeaderValue);
        Error(Req("Host: a", "Transfer-Encoding: \u000bchunked"), HttpParseError.InvalidHeaderValue);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1", "", true)]
    [InlineData("GET / HTTP/1.1", "Connection: close", false)]
    [InlineData("GET / HTTP/1.1", "Connection: Close", false)]
    [InlineData("GET / HTTP/1.1", "Connection: keep-alive, close", false)]
    [InlineData("GET / HTTP/1.1", "Connection: x-foo , CLOSE ", false)]
    [InlineData("GET / HTTP/1.1", "Connection: keep-alive", true)]
    [InlineData("GET / HTTP/1.1", "Connection: closed", true)]
    [InlineData("GET / HTTP/1.0", "", false)]
    [InlineData("GET / HTTP/1.0", "Connection: keep-alive", true)]
    [InlineData("GET / HTTP/1.0", "Connection: Keep-Alive", true)]
    [InlineData("GET / HTTP/1.0", "Connection: keep-alive, close", false)]
    [InlineData("GET / HTTP/1.0", "Connection: close", false)]
    public void Keep_alive_follows_version_and_connection(string line, string field, bool expected)
    {
        var fields = field.Length == 0 ? "" : field + "\r\n";
        Assert.Equal(expected, Complete($"{line}\r\nHost: a\r\n{fields}\r\n").KeepAlive);
    }

    [Fact]
    public void Connection_options_spread_over_several_fields_all_count()
    {
        var head = Complete("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n");
        Assert.False(head.KeepAlive);
    }

    [Fact]
    public void Upgrade_request_is_recognised()
    {
        var head = Complete("GET /ws HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        Assert.True(head.ConnectionUpgrade);
        Assert.Equal(2, head.UpgradeIndex);
        Assert.Equal("websocket", Str(head.Value(head.UpgradeIndex)));
        Assert.True(head.KeepAlive);
    }

    [Theory]
    [InlineData("HTTP/1.1", "Expect: 100-continue", true)]
    [InlineData("HTTP/1.1", "Expect: 100-Continue", true)]
    [InlineData("HTTP/1.1", "Expect:  100-CONTINUE ", true)]
    [InlineData("HTTP/1.1", "Expect: 100-continue-x", false)]
    [InlineData("HTTP/1.1", "Expect: 200-ok", false)]
    [InlineData("HTTP/1.0", "Expect: 100-continue", false)] // RFC 9110 §10.1.1: ignore it from 1.0 clients
    public void Expect_continue_only_for_http11(string version, string field, bool expected)
    {
        var head = Complete($"POST / {version}\r\nHost: a\r\n{field}\r\nContent-Length: 1\r\n\r\n");
        Assert.Equal(expected, head.ExpectContinue);
    }

    [Fact]
    public void Classic_smuggling_payloads_are_refused()
    {
        // CL.TE and TE.CL: one hop reads Content-Length, another Transfer-Encoding.
        Error("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 13\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nSMUGGLED", HttpParseError.ContentLengthWithTransferEncoding);
        // TE obfuscations that some servers take for chunked and others do not.
        Error("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n", HttpParseError.UnsupportedTransferEncoding);
        Error("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n", HttpParseError.WhitespaceBeforeColon);
        Error("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n chunked\r\n\r\n", HttpParseError.ObsoleteLineFolding);
        Error("POST / HTTP/1.1\r\nHost: a\r\nX: y\nTransfer-Encoding: chunked\r\n\r\n", HttpParseError.BareLineFeed);
        Error("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-encoding: identity\r\n\r\n", HttpParseError.ChunkedNotLast);
        Error("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nContent-Length: 40\r\n\r\n", HttpParseError.ConflictingContentLength);
        Error("POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\u000b4\r\n\r\n", HttpParseError.InvalidHeaderValue);
        Error("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \"chunked\"\r\n\r\n", HttpParseError.InvalidTransferEncoding);
        // An underscore makes another field name (nginx would drop it, some stacks map it to '-'): framing
        // stays Content-Length, and the forwarder relays the odd field as an unknown one.
        var head = Complete("POST / HTTP/1.1\r\nHost: a\r\nTransfer_Encoding: chunked\r\nContent-Length: 4\r\n\r\n");
        Assert.False(head.IsChunked);
        Assert.Equal(KnownHeader.Other, head.Fields[1].Known);
    }
}
