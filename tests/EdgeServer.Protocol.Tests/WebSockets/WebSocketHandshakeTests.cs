using EdgeServer.Protocol.Http1;
using EdgeServer.Protocol.Tests.Http1;
using EdgeServer.Protocol.WebSockets;

namespace EdgeServer.Protocol.Tests.WebSockets;

/// <summary>Opening handshake rules (RFC 6455 §4.1, §4.2.1) over heads parsed by our own HTTP/1.1 parsers.</summary>
public class WebSocketHandshakeTests
{
    private const string Key = "dGhlIHNhbXBsZSBub25jZQ==";
    private const string Accept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="; // RFC 6455 §1.3's example

    private static RequestHead Request(string head)
    {
        var parsed = new RequestHead(HttpParserLimits.Default);
        Assert.Equal(ParseStatus.Complete, Http1RequestParser.TryParse(Sequences.Single(Sequences.Bytes(head + "\r\n")), parsed, HttpParserLimits.Default, out _));
        return parsed;
    }

    private static ResponseHead Response(string head)
    {
        var parsed = new ResponseHead(HttpParserLimits.Default);
        Assert.Equal(ParseStatus.Complete, Http1ResponseParser.TryParse(Sequences.Single(Sequences.Bytes(head + "\r\n")), parsed, HttpParserLimits.Default, out _));
        return parsed;
    }

    private static string Upgrade(string method = "GET", string version = "HTTP/1.1", string upgrade = "websocket", string connection = "Upgrade",
        string? key = Key, string? wsVersion = "13", string extra = "") =>
        $"{method} /chat {version}\r\nHost: server.example.com\r\nUpgrade: {upgrade}\r\nConnection: {connection}\r\n"
        + (key is null ? "" : $"Sec-WebSocket-Key: {key}\r\n")
        + (wsVersion is null ? "" : $"Sec-WebSocket-Version: {wsVersion}\r\n") + extra;

    [Fact]
    public void Computes_and_verifies_the_rfc_accept_value()
    {
        Span<byte> accept = stackalloc byte[WebSocketAccept.AcceptLength];
        Assert.Equal(28, WebSocketAccept.Compute(Encoding.ASCII.GetBytes(Key), accept));
        Assert.Equal(Accept, Encoding.ASCII.GetString(accept));
        Assert.True(WebSocketAccept.Verify(Encoding.ASCII.GetBytes(Key), Encoding.ASCII.GetBytes(" " + Accept)));
        Assert.False(WebSocketAccept.Verify(Encoding.ASCII.GetBytes(Key), Encoding.ASCII.GetBytes(Accept.ToLowerInvariant())));
        Assert.False(WebSocketAccept.Verify(Encoding.ASCII.GetBytes(Key), Encoding.ASCII.GetBytes(Accept[..^1])));
    }

    [Theory]
    [InlineData(Key, true)]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA==", true)]
    [InlineData("dGhlIHNhbXBsZSBub25jZQ=", false)]      // 23 chars
    [InlineData("dGhlIHNhbXBsZSBub25jZQ", false)]
    [InlineData("dGhlIHNhbXBsZSBub25jZQ===", false)]
    [InlineData("dGhlIHNhbXBsZSBub25jZ===", false)]      // 15 bytes
    [InlineData("dGhlIHNhbXBsZSBub25jZQ!!", false)]
    [InlineData("dGhlIHNhbXBsZSBub2 jZQ==", false)]
    [InlineData("dGhlIHNhbXBsZSBub25jZXg=", false)]      // 17 bytes
    public void Keys_are_base64_of_16_bytes(string key, bool valid)
    {
        Assert.Equal(valid, WebSocketAccept.IsValidKey(Encoding.ASCII.GetBytes(key)));
    }

    [Fact]
    public void Accepts_a_valid_request()
    {
        var head = Request(Upgrade(upgrade: "WebSocket", connection: "keep-alive, UPGRADE"));
        Assert.True(WebSocketHandshake.IsWebSocketRequest(head));
        Assert.Equal(WebSocketHandshakeError.None, WebSocketHandshake.ValidateRequest(head, out var keyIndex));
        Assert.Equal(Key, Encoding.ASCII.GetString(head.Value(keyIndex)));
    }

    [Theory]
    [InlineData(WebSocketHandshakeError.MethodNotGet, 400, "POST")]
    [InlineData(WebSocketHandshakeError.NotHttp11, 400, null, "HTTP/1.0")]
    [InlineData(WebSocketHandshakeError.NotWebSocketUpgrade, 400, null, null, "h2c")]
    [InlineData(WebSocketHandshakeError.NotWebSocketUpgrade, 400, null, null, "websocket/13")]
    [InlineData(WebSocketHandshakeError.MissingConnectionUpgrade, 400, null, null, null, "keep-alive")]
    [InlineData(WebSocketHandshakeError.MissingKey, 400, null, null, null, null, "")]
    [InlineData(WebSocketHandshakeError.InvalidKey, 400, null, null, null, null, "abc")]
    [InlineData(WebSocketHandshakeError.UnsupportedVersion, 426, null, null, null, null, null, "8")]
    [InlineData(WebSocketHandshakeError.UnsupportedVersion, 426, null, null, null, null, null, "13, 8")]
    [InlineData(WebSocketHandshakeError.UnsupportedVersion, 426, null, null, null, null, null, "")]
    public void Refuses_invalid_requests(WebSocketHandshakeError expected, int status, string? method = null, string? version = null,
        string? upgrade = null, string? connection = null, string? key = null, string? wsVersion = null)
    {
        var head = Request(Upgrade(method ?? "GET", version ?? "HTTP/1.1", upgrade ?? "websocket", connection ?? "Upgrade",
            key == "" ? null : key ?? Key, wsVersion == "" ? null : wsVersion ?? "13"));
        Assert.Equal(expected, WebSocketHandshake.ValidateRequest(head, out var keyIndex));
        Assert.Equal(-1, keyIndex);
        Assert.Equal(status, WebSocketHandshakeErrors.StatusCode(expected));
    }

    [Fact]
    public void Refuses_two_keys_and_two_versions()
    {
        Assert.Equal(WebSocketHandshakeError.DuplicateKey, WebSocketHandshake.ValidateRequest(Request(Upgrade(extra: $"Sec-WebSocket-Key: {Key}\r\n")), out _));
        Assert.Equal(WebSocketHandshakeError.UnsupportedVersion, WebSocketHandshake.ValidateRequest(Request(Upgrade(extra: "Sec-WebSocket-Version: 13\r\n")), out _));
        Assert.Equal("Sec-WebSocket-Version: 13\r\n", Encoding.ASCII.GetString(WebSocketHandshake.VersionHeaderLine));
    }

    private static string Answer(string accept = Accept, string extra = "", string status = "101 Switching Protocols") =>
        $"HTTP/1.1 {status}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n{extra}";

    [Fact]
    public void Validates_the_backend_answer()
    {
        var request = Request(Upgrade(extra: "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\nSec-WebSocket-Protocol: chat, superchat\r\n"));
        Assert.Equal(WebSocketHandshakeError.None, WebSocketHandshake.ValidateResponse(request, Response(Answer()), out var deflate));
        Assert.False(deflate);
        Assert.Equal(WebSocketHandshakeError.None, WebSocketHandshake.ValidateResponse(request,
            Response(Answer(extra: "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=\"10\"\r\nSec-WebSocket-Protocol: superchat\r\n")), out deflate));
        Assert.True(deflate);

        Assert.Equal(WebSocketHandshakeError.NotSwitchingProtocols, WebSocketHandshake.ValidateResponse(request, Response(Answer(status: "200 OK")), out _));
        Assert.Equal(WebSocketHandshakeError.InvalidAccept, WebSocketHandshake.ValidateResponse(request, Response(Answer(accept: "x" + Accept[1..])), out _));
        Assert.Equal(WebSocketHandshakeError.InvalidAccept, WebSocketHandshake.ValidateResponse(request, Response(Answer(extra: $"Sec-WebSocket-Accept: {Accept}\r\n")), out _));
        Assert.Equal(WebSocketHandshakeError.UnsupportedExtension, WebSocketHandshake.ValidateResponse(request, Response(Answer(extra: "Sec-WebSocket-Extensions: x-webkit-deflate-frame\r\n")), out _));
        Assert.Equal(WebSocketHandshakeError.UnsupportedExtension, WebSocketHandshake.ValidateResponse(request, Response(Answer(extra: "Sec-WebSocket-Extensions: permessage-deflate, permessage-deflate\r\n")), out _));
        Assert.Equal(WebSocketHandshakeError.UnexpectedSubprotocol, WebSocketHandshake.ValidateResponse(request, Response(Answer(extra: "Sec-WebSocket-Protocol: mqtt\r\n")), out _));
        Assert.Equal(WebSocketHandshakeError.ResponseMissingConnectionUpgrade, WebSocketHandshake.ValidateResponse(request,
            Response($"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: {Accept}\r\n"), out _));
        Assert.Equal(WebSocketHandshakeError.ResponseNotWebSocketUpgrade, WebSocketHandshake.ValidateResponse(request,
            Response($"HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {Accept}\r\n"), out _));

        var plain = Request(Upgrade());
        Assert.Equal(WebSocketHandshakeError.UnsupportedExtension, WebSocketHandshake.ValidateResponse(plain, Response(Answer(extra: "Sec-WebSocket-Extensions: permessage-deflate\r\n")), out _));
        Assert.Equal(WebSocketHandshakeError.UnexpectedSubprotocol, WebSocketHandshake.ValidateResponse(plain, Response(Answer(extra: "Sec-WebSocket-Protocol: chat\r\n")), out _));
        Assert.Equal(502, WebSocketHandshakeErrors.StatusCode(WebSocketHandshakeError.InvalidAccept));
    }

    [Theory]
    [InlineData("permessage-deflate", true, 1, 0)]
    [InlineData("PerMessage-Deflate ; client_max_window_bits ; server_no_context_takeover", true, 1, 0)]
    [InlineData("permessage-deflate; server_max_window_bits=\"10\", permessage-deflate", true, 2, 0)]
    [InlineData("permessage-deflate, foo; bar=baz", true, 1, 1)]
    [InlineData("foo", true, 0, 1)]
    [InlineData("", false, 0, 0)]
    [InlineData("permessage-deflate;", false, 1, 0)]
    [InlineData("permessage-deflate; a=", false, 1, 0)]
    [InlineData("permessage-deflate; a=\"unterminated", false, 1, 0)]
    [InlineData("permessage-deflate,", false, 1, 0)]
    [InlineData("permessage-deflate x", false, 1, 0)]
    public void Reads_extension_lists(string value, bool wellFormed, int deflate, int others)
    {
        var ok = WebSocketExtensions.TryCount(Encoding.ASCII.GetBytes(value), out var d, out var o);
        Assert.Equal(wellFormed, ok);
        if (ok) Assert.Equal((deflate, others), (d, o));
    }
}
