using EdgeServer.Protocol.Http1;
using static EdgeServer.Protocol.Tests.Http1.RequestHarness;

namespace EdgeServer.Protocol.Tests.Http1;

/// <summary>The request line: method, target forms, version, line endings, limits, pipelining.</summary>
public class Http1RequestParserTests
{
    private const string H = "Host: example.com\r\n";

    [Fact]
    public void Parses_a_typical_get()
    {
        var head = Complete("GET /index.html?a=1&b=2 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n");
        Assert.Equal(KnownMethod.Get, head.Method);
        Assert.Equal("GET", Str(head.MethodBytes));
        Assert.Equal(TargetForm.Origin, head.Form);
        Assert.Equal("/index.html?a=1&b=2", Str(head.Target));
        Assert.Equal("/index.html", Str(head.Path));
        Assert.True(head.HasQuery);
        Assert.Equal("a=1&b=2", Str(head.Query));
        Assert.Equal("/index.html?a=1&b=2", Str(head.PathAndQuery));
        Assert.Equal(HttpVersion.Http11, head.Version);
        Assert.Equal(2, head.HeaderCount);
        Assert.Equal(0, head.HostIndex);
        Assert.Equal("example.com", Str(head.Authority));
        Assert.Equal(KnownHeader.Host, head.Fields[0].Known);
        Assert.Equal("Accept", Str(head.Name(1)));
        Assert.Equal("*/*", Str(head.Value(1)));
        Assert.True(head.KeepAlive);
        Assert.False(head.IsChunked);
        Assert.Equal(-1, head.ContentLength);
        Assert.Equal(BodyFraming.None, head.BodyFraming);
        Assert.Equal(-1, head.UpgradeIndex);
    }

    [Fact]
    public void Path_without_query_has_no_query()
    {
        var head = Complete("GET /a/b HTTP/1.1\r\n" + H + "\r\n");
        Assert.False(head.HasQuery);
        Assert.Equal("/a/b", Str(head.Path));
        Assert.Equal("/a/b", Str(head.PathAndQuery));
    }

    [Fact]
    public void Empty_query_after_question_mark_is_present_and_empty()
    {
        var head = Complete("GET /a? HTTP/1.1\r\n" + H + "\r\n");
        Assert.True(head.HasQuery);
        Assert.Equal(0, head.Query.Length);
        Assert.Equal("/a?", Str(head.PathAndQuery));
    }

    [Theory]
    [InlineData("GET", KnownMethod.Get)]
    [InlineData("HEAD", KnownMethod.Head)]
    [InlineData("POST", KnownMethod.Post)]
    [InlineData("PUT", KnownMethod.Put)]
    [InlineData("DELETE", KnownMethod.Delete)]
    [InlineData("OPTIONS", KnownMethod.Options)]
    [InlineData("PATCH", KnownMethod.Patch)]
    [InlineData("TRACE", KnownMethod.Trace)]
    [InlineData("get", KnownMethod.Custom)]      // methods are case-sensitive
    [InlineData("GETS", KnownMethod.Custom)]
    [InlineData("PROPFIND", KnownMethod.Custom)]
    [InlineData("M-SEARCH", KnownMethod.Custom)]
    [InlineData("X", KnownMethod.Custom)]
    [InlineData("POSTS", KnownMethod.Custom)]
    [InlineData("DELETES", KnownMethod.Custom)]
    public void Identifies_known_methods_as_bytes(string method, KnownMethod expected)
    {
        var head = Complete($"{method} / HTTP/1.1\r\n{H}\r\n");
        Assert.Equal(expected, head.Method);
        Assert.Equal(method, Str(head.MethodBytes));
    }

    [Fact]
    public void Connect_takes_authority_form()
    {
        var head = Complete("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");
        Assert.Equal(KnownMethod.Connect, head.Method);
        Assert.Equal(TargetForm.Authority, head.Form);
        Assert.Equal("example.com:443", Str(head.Authority));
        Assert.Equal("/", Str(head.Path));
        Assert.False(head.HasQuery);
    }

    [Theory]
    [InlineData("CONNECT / HTTP/1.1")]                    // CONNECT needs authority-form
    [InlineData("CONNECT example.com HTTP/1.1")]          // port is required
    [InlineData("CONNECT example.com: HTTP/1.1")]
    [InlineData("CONNECT http://example.com:443 HTTP/1.1")]
    [InlineData("GET example.com:443 HTTP/1.1")]          // authority-form only with CONNECT
    [InlineData("GET * HTTP/1.1")]                        // asterisk only with OPTIONS
    [InlineData("OPTIONS ** HTTP/1.1")]
    [InlineData("GET index.html HTTP/1.1")]
    [InlineData("GET ftp://example.com/ HTTP/1.1")]
    [InlineData("GET http:/example.com/ HTTP/1.1")]
    [InlineData("GET http:// HTTP/1.1")]
    [InlineData("GET http:///path HTTP/1.1")]
    [InlineData("GET http://user@example.com/ HTTP/1.1")] // userinfo is refused
    [InlineData("GET http://example.com?q=1 HTTP/1.1")]   // no path but a query: refused, see RequestTarget
    [InlineData("GET /a#frag HTTP/1.1")]
    [InlineData("GET /a\u0001b HTTP/1.1")]
    [InlineData("GET /a\u007fb HTTP/1.1")]
    [InlineData("GET /caf\u00e9 HTTP/1.1")]                 // raw obs-text in a target
    [InlineData("GET /a\0 HTTP/1.1")]
    public void Refuses_invalid_targets(string line)
    {
        Error(line + "\r\n" + H + "\r\n", HttpParseError.InvalidTarget);
    }

    [Fact]
    public void Options_takes_asterisk_form()
    {
        var head = Complete("OPTIONS * HTTP/1.1\r\n" + H + "\r\n");
        Assert.Equal(TargetForm.Asterisk, head.Form);
        Assert.Equal("*", Str(head.Target));
        Assert.Equal("*", Str(head.PathAndQuery));
    }

    [Theory]
    [InlineData("http://example.com/a/b?x=1", "example.com", "/a/b", "x=1")]
    [InlineData("HTTP://Example.com:8080/a", "Example.com:8080", "/a", null)]
    [InlineData("https://[::1]:8443/p?", "[::1]:8443", "/p", "")]
    [InlineData("http://10.0.0.1", "10.0.0.1", "/", null)]
    [InlineData("HtTpS://example.com/", "example.com", "/", null)]
    public void Parses_absolute_form(string target, string authority, string path, string? query)
    {
        var head = Complete($"GET {target} HTTP/1.1\r\nHost: ignored.example\r\n\r\n");
        Assert.Equal(TargetForm.Absolute, head.Form);
        Assert.Equal(target, Str(head.Target));
        Assert.Equal(authority, Str(head.Authority)); // the target's authority wins over Host (RFC 9112 §3.2.2)
        Assert.Equal(path, Str(head.Path));
        Assert.Equal(query is not null, head.HasQuery);
        if (query is not null) Assert.Equal(query, Str(head.Query));
    }

    [Fact]
    public void Absolute_form_without_path_reports_root_path()
    {
        var head = Complete("GET http://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n");
        Assert.Equal("/", Str(head.PathAndQuery));
    }

    [Theory]
    [InlineData("HTTP/1.1", HttpVersion.Http11)]
    [InlineData("HTTP/1.0", HttpVersion.Http10)]
    [InlineData("HTTP/1.2", HttpVersion.Http11)] // minor versions are compatible: handled as 1.1
    [InlineData("HTTP/1.9", HttpVersion.Http11)]
    public void Accepts_http1_versions(string version, HttpVersion expected)
    {
        Assert.Equal(expected, Complete($"GET / {version}\r\n{H}\r\n").Version);
    }

    [Theory]
    [InlineData("HTTP/2.0")]
    [InlineData("HTTP/3.0")]
    [InlineData("HTTP/0.9")]
    [InlineData("HTTP/9.1")]
    public void Other_major_versions_are_505(string version)
    {
        Error($"GET / {version}\r\n{H}\r\n", HttpParseError.UnsupportedVersion);
        Assert.Equal(505, HttpParseErrors.StatusCode(HttpParseError.UnsupportedVersion));
    }

    [Theory]
    [InlineData("HTTP/1")]
    [InlineData("http/1.1")]
    [InlineData("HTTP/1.1 ")]
    [InlineData("HTTP/1.10")]
    [InlineData("HTTP/11")]
    [InlineData("HTTP/1.x")]
    [InlineData("HTTP 1.1")]
    [InlineData("HTTPS/1.1")]
    [InlineData("HTTP/1.1x")]
    public void Malformed_versions_are_400(string version)
    {
        Error($"GET / {version}\r\n{H}\r\n", HttpParseError.InvalidVersion);
    }

    [Theory]
    [InlineData("GET  / HTTP/1.1\r\n", HttpParseError.InvalidRequestLine)]     // double SP
    [InlineData("GET /  HTTP/1.1\r\n", HttpParseError.InvalidRequestLine)]
    [InlineData("GET\t/ HTTP/1.1\r\n", HttpParseError.InvalidRequestLine)]     // tab separator
    [InlineData("GET /\tHTTP/1.1\r\n", HttpParseError.InvalidRequestLine)]
    [InlineData("GET /a b HTTP/1.1\r\n", HttpParseError.InvalidVersion)]        // a space inside the target
    [InlineData(" GET / HTTP/1.1\r\n", HttpParseError.InvalidRequestLine)]
    [InlineData("\r\nGET / HTTP/1.1\r\n", HttpParseError.InvalidRequestLine)]  // leading empty line is refused
    [InlineData("GET /\r\n", HttpParseError.InvalidRequestLine)]              // HTTP/0.9 style
    [InlineData("GET\r\n", HttpParseError.InvalidRequestLine)]
    [InlineData("GE(T / HTTP/1.1\r\n", HttpParseError.InvalidMethod)]
    [InlineData("G\u00c9T / HTTP/1.1\r\n", HttpParseError.InvalidMethod)]
    [InlineData("GET\0/ HTTP/1.1\r\n", HttpParseError.InvalidMethod)]
    [InlineData("GET / HTTP/1.1\n", HttpParseError.BareLineFeed)]
    [InlineData("GET /\n", HttpParseError.BareLineFeed)]
    [InlineData("GET\n", HttpParseError.BareLineFeed)]
    [InlineData("\n", HttpParseError.BareLineFeed)]
    [InlineData("GET / HTTP/1.1\rX", HttpParseError.BareCarriageReturn)]
    [InlineData("GET / HTTP/1.1\r\r\n", HttpParseError.BareCarriageReturn)]
    public void Refuses_malformed_request_lines(string start, HttpParseError expected)
    {
        Error(start + H + "\r\n", expected);
    }

    [Fact]
    public void Bare_line_feed_in_the_request_line_fails_at_once_without_more_data()
    {
        var head = new RequestHead(Limits);
        var status = Http1RequestParser.TryParse(Sequences.Single(Sequences.Bytes("GET /\n")), head, Limits, out _);
        Assert.Equal(ParseStatus.Error, status);
        Assert.Equal(HttpParseError.BareLineFeed, head.Error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("G")]
    [InlineData("GET / HTTP/1.1\r")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n\r")]
    public void Partial_heads_are_incomplete(string raw) => Incomplete(raw);

    [Fact]
    public void Pipelined_requests_consume_exactly_the_first_head()
    {
        const string first = "GET /a HTTP/1.1\r\nHost: a\r\n\r\n";
        const string second = "GET /b HTTP/1.1\r\nHost: a\r\n\r\n";
        var head = Complete(first + second);
        Assert.Equal(first.Length, head.Length);
        Assert.Equal("/a", Str(head.Path));

        var data = Sequences.Bytes(first + second);
        Assert.Equal(ParseStatus.Complete, Http1RequestParser.TryParse(new ReadOnlySequence<byte>(data), head, Limits, out var consumed));
        Assert.Equal(ParseStatus.Complete, Http1RequestParser.TryParse(new ReadOnlySequence<byte>(data).Slice(consumed), head, Limits, out var consumed2));
        Assert.Equal(second.Length, consumed2);
        Assert.Equal("/b", Str(head.Path));
    }

    [Fact]
    public void Head_is_copied_into_its_own_buffer()
    {
        var data = Sequences.Bytes("GET /x HTTP/1.1\r\nHost: a\r\n\r\nBODY");
        var head = new RequestHead(Limits);
        Http1RequestParser.TryParse(new ReadOnlySequence<byte>(data), head, Limits, out _);
        Array.Clear(data);
        Assert.Equal("/x", Str(head.Path));
        Assert.Equal("a", Str(head.Value(0)));
    }

    [Fact]
    public void A_body_after_the_head_is_never_copied_from_a_multi_segment_buffer()
    {
        var head = new RequestHead(Limits);
        var sequence = Sequences.FromParts(Sequences.Bytes("GET / HTTP/1.1\r\nHo"), Sequences.Bytes("st: a\r\n\r\n"), new byte[100_000]);
        Assert.Equal(ParseStatus.Complete, Http1RequestParser.TryParse(sequence, head, Limits, out var consumed));
        Assert.Equal(27, consumed);
    }

    [Fact]
    public void Request_line_longer_than_the_limit_is_414()
    {
        var limits = new HttpParserLimits(64, 256, 10);
        var target = "/" + new string('a', 64);
        Error($"GET {target} HTTP/1.1\r\nHost: a\r\n\r\n", HttpParseError.RequestLineTooLong, limits);
        Assert.Equal(414, HttpParseErrors.StatusCode(HttpParseError.RequestLineTooLong));
    }

    [Fact]
    public void Request_line_is_414_as_soon_as_the_limit_is_reached_without_a_line_end()
    {
        var limits = new HttpParserLimits(64, 256, 10);
        var head = new RequestHead(limits);
        var data = Sequences.Bytes("GET /" + new string('a', 59));
        Assert.Equal(64, data.Length);
        Assert.Equal(ParseStatus.Incomplete, Http1RequestParser.TryParse(Sequences.Single(data[..63]), head, limits, out _));
        Assert.Equal(ParseStatus.Error, Http1RequestParser.TryParse(Sequences.Single(data), head, limits, out _));
        Assert.Equal(HttpParseError.RequestLineTooLong, head.Error);
    }

    [Fact]
    public void Request_line_exactly_at_the_limit_including_crlf_is_accepted()
    {
        var limits = new HttpParserLimits(64, 256, 10);
        var line = "GET /" + new string('a', 64 - 16) + " HTTP/1.1\r\n";
        Assert.Equal(64, line.Length);
        Complete(line + "Host: a\r\n\r\n", limits);
        Error("GET /a" + line[5..] + "Host: a\r\n\r\n", HttpParseError.RequestLineTooLong, limits);
    }

    [Fact]
    public void A_syntax_error_before_the_limit_wins_over_414()
    {
        var limits = new HttpParserLimits(64, 256, 10);
        Error("GET /a\u0001" + new string('a', 100) + " HTTP/1.1\r\n\r\n", HttpParseError.InvalidTarget, limits);
    }

    [Fact]
    public void Never_reads_past_the_head_limit()
    {
        // Bytes past the limits are never looked at: a request whose head fits is parsed even when the
        // buffer behind it is huge, and a head that does not fit fails at the limit.
        var limits = new HttpParserLimits(64, 128, 10);
        var head = new RequestHead(limits);
        var big = Sequences.Bytes("GET / HTTP/1.1\r\nHost: a\r\nX: " + new string('b', 10_000));
        Assert.Equal(ParseStatus.Error, Http1RequestParser.TryParse(Sequences.Single(big), head, limits, out _));
        Assert.Equal(HttpParseError.HeadersTooLarge, head.Error);
    }

    [Fact]
    public void A_head_built_for_smaller_limits_is_a_wiring_error()
    {
        var head = new RequestHead(new HttpParserLimits(64, 64, 4));
        Assert.Throws<ArgumentException>(() => Http1RequestParser.TryParse(Sequences.Single(Sequences.Bytes("GET")), head, HttpParserLimits.Default, out _));
    }

    [Fact]
    public void Head_is_reset_between_requests()
    {
        var head = new RequestHead(Limits);
        Http1RequestParser.TryParse(Sequences.Single(Sequences.Bytes("POST /a?x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nConnection: close\r\n\r\n")), head, Limits, out _);
        Assert.Equal(5, head.ContentLength);
        Http1RequestParser.TryParse(Sequences.Single(Sequences.Bytes("GET /b HTTP/1.1\r\nHost: a\r\n\r\n")), head, Limits, out _);
        Assert.Equal(-1, head.ContentLength);
        Assert.False(head.HasQuery);
        Assert.True(head.KeepAlive);
        Assert.Equal(1, head.HeaderCount);
    }
}
