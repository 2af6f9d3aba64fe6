using System.Globalization;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using EdgeServer.EndToEnd.Tests.Infrastructure;

namespace EdgeServer.EndToEnd.Tests.WebSockets;

/// <summary>
/// permessage-deflate (RFC 7692) end to end: the relay passes the offer and the backend's answer through and lets
/// RSV1 frames by only when that answer negotiated it. .NET's ClientWebSocket and ASP.NET Core's server both
/// compress for real here, so what crosses the edge is compressed bytes: the wire counters, a raw socket's view
/// of RSV1, and the size limits are all judged on those.
/// </summary>
public sealed partial class PerMessageDeflateTests
{
    private static readonly WebSocketDeflateOptions Deflate = new() { ClientMaxWindowBits = 15, ServerMaxWindowBits = 15 };

    private static async Task<ClientWebSocket> ConnectDeflateAsync(EdgeInstance edge, string path = "/ws/echo")
    {
        var client = new ClientWebSocket();
        client.Options.KeepAliveInterval = TimeSpan.Zero;
        client.Options.DangerousDeflateOptions = Deflate;
        client.Options.CollectHttpResponseDetails = true;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await client.ConnectAsync(new Uri($"ws://{edge.Endpoint}{path}"), cts.Token);
        return client;
    }

    private static async Task<(WebSocketMessageType Type, byte[] Data)> ReceiveMessageAsync(WebSocket socket)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[1 << 16];
        var message = new MemoryStream();
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, cts.Token);
            if (received.MessageType == WebSocketMessageType.Close) return (received.MessageType, []);
            message.Write(buffer, 0, received.Count);
            if (received.EndOfMessage) return (received.MessageType, message.ToArray());
        }
    }

    private static string? Extensions(ClientWebSocket client) =>
        client.HttpResponseHeaders?.TryGetValue("Sec-WebSocket-Extensions", out var values) == true ? string.Join(", ", values) : null;

    [GeneratedRegex("edge_websocket_bytes_total\\{route=\"ws\",direction=\"(client|upstream)\"\\} ([0-9]+)")]
    private static partial Regex BytesSample();

    /// <summary>Relayed bytes (frames as on the wire) per direction, from /metrics.</summary>
    private static async Task<(long FromClient, long FromUpstream)> WireBytesAsync(EdgeInstance edge)
    {
        long client = -1, upstream = -1;
        foreach (Match m in BytesSample().Matches(await AdminClient.GetAsync(edge, "/metrics")))
        {
            var n = long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
            if (m.Groups[1].Value == "client") client = n;
            else upstream = n;
        }
        Assert.True(client >= 0 && upstream >= 0, "edge_websocket_bytes_total for route ws is missing");
        return (client, upstream);
    }

    /// <summary>A large, very compressible JSON-ish text: what chat and market-data feeds look like.</summary>
    private static string CompressibleText(int bytes)
    {
        var text = new StringBuilder(bytes + 64);
        for (var i = 0; text.Length < bytes; i++) text.Append(CultureInfo.InvariantCulture, $"{{\"seq\":{i % 100},\"symbol\":\"EURUSD\",\"side\":\"bïd\"}}");
        return text.ToString(0, bytes);
    }

    [Fact]
    public async Task Dotnet_client_and_kestrel_negotiate_deflate_through_the_edge_and_messages_cross_compressed()
    {
        await using var backend = await WsBackend.StartAsync(deflate: true);
        await using var edge = await EdgeInstance.StartAsync(WsConfigs.Relay(backend.Address));
        using var client = await ConnectDeflateAsync(edge);

        // The 101 the client saw is the backend's negotiation, relayed: permessage-deflate and its parameters.
        Assert.Equal(101, (int)client.HttpStatusCode);
        Assert.StartsWith("permessage-deflate", Extensions(client));
        Assert.True(backend.Handshakes.TryDequeue(out var offered));
        Assert.Contains("permessage-deflate", offered["Sec-WebSocket-Extensions"].ToString());

        long sent = 0;
        await client.SendAsync(Encoding.UTF8.GetBytes("héllo, compressed wörld"), WebSocketMessageType.Text, true, default);
        var text = await ReceiveMessageAsync(client);
        Assert.Equal(WebSocketMessageType.Text, text.Type);
        Assert.Equal("héllo, compressed wörld", Encoding.UTF8.GetString(text.Data));
        sent += Encoding.UTF8.GetByteCount("héllo, compressed wörld");

        var binary = new byte[300_000];
        for (var i = 0; i < binary.Length; i++) binary[i] = (byte)(i % 7 * 31);
        await client.SendAsync(binary, WebSocketMessageType.Binary, true, default);
        var back = await ReceiveMessageAsync(client);
        Assert.Equal(WebSocketMessageType.Binary, back.Type);
        Assert.Equal(binary, back.Data);
        sent += binary.Length;

        // One compressed message in three frames: RSV1 on the first only, continuation frames carry the rest of
        // the same DEFLATE stream (the inspector must take them as part of one compressed message).
        var large = CompressibleText(1_000_000);
        var bytes = Encoding.UTF8.GetBytes(large);
        var third = bytes.Length / 3;
        await client.SendAsync(bytes.AsMemory(0, third), WebSocketMessageType.Text, false, default);
        await client.SendAsync(bytes.AsMemory(third, third), WebSocketMessageType.Text, false, default);
        await client.SendAsync(bytes.AsMemory(2 * third), WebSocketMessageType.Text, true, default);
        var fragmented = await ReceiveMessageAsync(client);
        Assert.Equal(WebSocketMessageType.Text, fragmented.Type);
        Assert.Equal(large, Encoding.UTF8.GetString(fragmented.Data));
        sent += bytes.Length;

        // The backend inflated what it got: the same messages, the same lengths.
        Assert.Equal(
            [(WebSocketMessageType.Text, 25), (WebSocketMessageType.Binary, binary.Length), (WebSocketMessageType.Text, bytes.Length)],
            backend.Received.ToArray());

        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", default);
        Assert.Equal("close 1000 done", backend.NextEnd());
        await WebSocketRelayTests.WaitForOpenAsync(edge, 0);

        // What crossed the edge each way is a fraction of the payload: the frames were compressed on the wire.
        var (fromClient, fromUpstream) = await WireBytesAsync(edge);
        Assert.True(fromClient < sent / 10, $"client sent {fromClient} bytes on the wire for {sent} bytes of messages");
        Assert.True(fromUpstream < sent / 10, $"backend sent {fromUpstream} bytes on the wire for {sent} bytes of messages");
        Assert.DoesNotContain("edge_websocket_violations_total{", await AdminClient.GetAsync(edge, "/metrics"));
    }

    [Fact]
    public async Task A_raw_client_sees_rsv1_on_the_backends_frames_and_its_own_compressed_text_is_not_utf8_checked()
    {
        await using var backend = await WsBackend.StartAsync(deflate: true);
        // validateUtf8 is on (the default): compressed text is DEFLATE bytes, which the edge must not judge as UTF-8.
        await using var edge = await EdgeInstance.StartAsync(WsConfigs.Relay(backend.Address, "enabled: true, validateUtf8: true"));
        // No context takeover either way: each message inflates on its own, so the test can read them one by one.
        using var ws = await RawWebSocket.ConnectAsync(edge.Endpoint, "/ws/echo",
            extraHeaders: "Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover; server_no_context_takeover\r\n");
        Assert.Equal(101, ws.Status);
        Assert.Contains("Sec-WebSocket-Extensions: permessage-deflate", ws.ResponseHead, StringComparison.OrdinalIgnoreCase);

        var message = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("gzïp mé ", 40)));
        var compressed = RawDeflate.Compress(message);
        Assert.False(System.Text.Unicode.Utf8.IsValid(compressed), "the test needs compressed bytes that are not valid UTF-8 on their own");
        await ws.SendFrameAsync(1, compressed, rsv: 4);

        var echo = await ws.ReadFrameAsync();
        Assert.NotNull(echo);
        Assert.Equal(1, echo.Opcode);
        Assert.Equal(4, echo.Rsv);   // RSV1: the backend's frame crossed the edge compressed
        Assert.True(echo.Payload.Length < message.Length / 4, $"{echo.Payload.Length} wire bytes for {message.Length}");
        Assert.Equal(message, RawDeflate.Inflate(echo.Payload));

        // A compressed message in two frames: RSV1 on the first, none on the continuation.
        var half = compressed.Length / 2;
        await ws.SendFrameAsync(1, compressed[..half], fin: false, rsv: 4);
        await ws.SendFrameAsync(0, compressed[half..]);
        var second = await ws.ReadFrameAsync();
        Assert.NotNull(second);
        Assert.Equal(4, second.Rsv);
        Assert.Equal(message, RawDeflate.Inflate(second.Payload));

        await ws.SendFrameAsync(8, RawWebSocket.ClosePayload(1000, "bye"));
        Assert.Equal(1000, (await ws.ReadUntilCloseAsync())!.CloseCode);
        Assert.Equal("close 1000 bye", backend.NextEnd());
        Assert.DoesNotContain("edge_websocket_violations_total{", await AdminClient.GetAsync(edge, "/metrics"));
    }

    [Fact]
    public async Task Size_limits_count_wire_bytes_so_compressible_messages_pass_and_incompressible_ones_are_refused()
    {
        await using var backend = await WsBackend.StartAsync(deflate: true);
        await using var edge = await EdgeInstance.StartAsync(WsConfigs.Relay(backend.Address, "enabled: true, maxFrameBytes: 64KiB, maxMessageBytes: 64KiB"));
        using var client = await ConnectDeflateAsync(edge);

        // 1 MB of text inflates far past 64 KiB but is a few KiB on the wire: maxMessageBytes measures the wire.
        var large = CompressibleText(1_000_000);
        await client.SendAsync(Encoding.UTF8.GetBytes(large), WebSocketMessageType.Text, true, default);
        Assert.Equal(large, Encoding.UTF8.GetString((await ReceiveMessageAsync(client)).Data));

        // Random bytes do not compress: ~100 KB on the wire is over the 64 KiB limit whatever the payload is.
        await client.SendAsync(RandomNumberGenerator.GetBytes(100_000), WebSocketMessageType.Binary, true, default);
        var closed = await ReceiveMessageAsync(client);
        Assert.Equal(WebSocketMessageType.Close, closed.Type);
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, client.CloseStatus);
        Assert.StartsWith("close 1009", backend.NextEnd());
        await WebSocketRelayTests.WaitForOpenAsync(edge, 0);
        Assert.Contains("sender=\"client\",kind=\"frame_too_big\"} 1", await AdminClient.GetAsync(edge, "/metrics"));
    }

    [Fact]
    public async Task An_rsv1_frame_to_a_backend_that_did_not_negotiate_deflate_closes_both_sides_with_1002()
    {
        await using var backend = await WsBackend.StartAsync(deflate: false);
        await using var edge = await EdgeInstance.StartAsync(WsConfigs.Relay(backend.Address));
        // The client offers deflate; the backend's 101 does not take it, so RSV1 means nothing on this connection.
        using var ws = await RawWebSocket.ConnectAsync(edge.Endpoint, "/ws/echo", extraHeaders: "Sec-WebSocket-Extensions: permessage-deflate\r\n");
        Assert.Equal(101, ws.Status);
        Assert.DoesNotContain("Sec-WebSocket-Extensions", ws.ResponseHead, StringComparison.OrdinalIgnoreCase);
        await ws.SendTextAsync("plain is fine");
        Assert.Equal("plain is fine", (await ws.ReadFrameAsync())!.Text);

        await ws.SendFrameAsync(1, RawDeflate.Compress("compressed anyway"u8.ToArray()), rsv: 4);
        var close = await ws.ReadUntilCloseAsync();
        Assert.Equal(1002, close!.CloseCode);
        Assert.Contains("client:", close.Text);
        Assert.True(await ws.IsClosedByServerAsync());
        Assert.StartsWith("close 1002", backend.NextEnd());
        await WebSocketRelayTests.WaitForOpenAsync(edge, 0);
        var metrics = await AdminClient.GetAsync(edge, "/metrics");
        Assert.Contains("edge_websocket_violations_total{route=\"ws\",sender=\"client\",kind=\"reserved_bits_set\"} 1", metrics);
        Assert.Contains("edge_websocket_closes_total{route=\"ws\",code=\"1002\"} 1", metrics);
        // Only the plain message reached the backend.
        Assert.Equal([(WebSocketMessageType.Text, 13)], backend.Received.ToArray());
    }

    [Fact]
    public async Task A_client_offering_deflate_to_a_backend_that_declines_gets_a_working_uncompressed_relay()
    {
        await using var backend = await WsBackend.StartAsync(deflate: false);
        await using var edge = await EdgeInstance.StartAsync(WsConfigs.Relay(backend.Address));
        using var client = await ConnectDeflateAsync(edge);
        Assert.Null(Extensions(client));
        Assert.True(backend.Handshakes.TryDequeue(out var offered));
        Assert.Contains("permessage-deflate", offered["Sec-WebSocket-Extensions"].ToString());

        var large = CompressibleText(200_000);
        await client.SendAsync(Encoding.UTF8.GetBytes(large), WebSocketMessageType.Text, true, default);
        Assert.Equal(large, Encoding.UTF8.GetString((await ReceiveMessageAsync(client)).Data));
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, null, default);
        await WebSocketRelayTests.WaitForOpenAsync(edge, 0);

        // Not compressed: at least the payload crossed the edge each way.
        var (fromClient, fromUpstream) = await WireBytesAsync(edge);
        Assert.True(fromClient >= 200_000 && fromUpstream >= 200_000, $"{fromClient} / {fromUpstream} wire bytes for 200000 bytes of text");
        Assert.DoesNotContain("edge_websocket_violations_total{", await AdminClient.GetAsync(edge, "/metrics"));
    }
}
