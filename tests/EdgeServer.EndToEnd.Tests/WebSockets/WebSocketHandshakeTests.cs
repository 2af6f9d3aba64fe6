using EdgeServer.EndToEnd.Tests.Infrastructure;

namespace EdgeServer.EndToEnd.Tests.WebSockets;

/// <summary>
/// What reaches the relay and what does not: bad client handshakes (400, 426), routes without websocket, a backend
/// that declines (its answer is relayed), a backend whose 101 is wrong (502), and upgrades to other protocols.
/// </summary>
public sealed class WebSocketHandshakeTests
{
    [Fact]
    public async Task Bad_client_handshakes_are_refused_before_the_backend_sees_them()
    {
        await using var backend = await WsBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(WsConfigs.Relay(backend.Address));

        using (var ws = await RawWebSocket.ConnectAsync(edge.Endpoint, "/ws/echo", key: "too-short"))
        {
            Assert.Equal(400, ws.Status);
            Assert.Contains("invalid Sec-WebSocket-Key", await ws.ReadRestAsync(2));
        }
        using (var ws = await RawWebSocket.ConnectAsync(edge.Endpoint, "/ws/echo", version: "8"))
        {
            Assert.Equal(426, ws.Status);
            Assert.Contains("Sec-WebSocket-Version: 13", ws.ResponseHead);
        }
        using (var client = await RawClient.ConnectAsync(edge.Endpoint))
        {
            // No Connection: upgrade.
            await client.SendAsync($"GET /ws/echo HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nSec-WebSocket-Key: {RawWebSocket.NewKey()}\r\nSec-WebSocket-Version: 13\r\n\r\n");
            var response = await client.ReadResponseAsync();
            Assert.Equal(400, response!.Status);
            Assert.Contains("Connection does not list upgrade", response.BodyText);
        }
        using (var client = await RawClient.ConnectAsync(edge.Endpoint))
        {
            await client.SendAsync($"POST /ws/echo HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: upgrade\r\nSec-WebSocket-Key: {RawWebSocket.NewKey()}\r\nSec-WebSocket-Version: 13\r\nContent-Length: 0\r\n\r\n");
            var response = await client.ReadResponseAsync();
            Assert.Equal(400, response!.Status);
            Assert.Contains("WebSocket handshake must use GET", response.BodyText);
        }
        using (var client = await RawClient.ConnectAsync(edge.Endpoint))
        {
            await client.SendAsync($"GET /ws/echo HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: upgrade\r\nSec-WebSocket-Key: {RawWebSocket.NewKey()}\r\nSec-WebSocket-Version: 13\r\nContent-Length: 5\r\n\r\nhello");
            var response = await client.ReadResponseAsync();
            Assert.Equal(400, response!.Status);
            Assert.Contains("a WebSocket handshake has no body", response.BodyText);
        }
        Assert.Empty(backend.Handshakes);
        var metrics = await AdminClient.GetAsync(edge, "/metrics");
        Assert.Contains("edge_websocket_upgrades_refused_total{route=\"ws\",reason=\"bad_handshake\"} 4", metrics);
        Assert.Contains("edge_websocket_upgrades_refused_total{route=\"ws\",reason=\"unsupported_version\"} 1", metrics);
    }

    [Fact]
    public async Task A_route_without_websocket_refuses_the_handshake_with_400()
    {
        await using var backend = await WsBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(Configs.SingleBackend(backend.Address));
        using var ws = await RawWebSocket.ConnectAsync(edge.Endpoint, "/ws/echo");
        Assert.Equal(400, ws.Status);
        Assert.Contains("WebSocket is not enabled on this route", await ws.ReadRestAsync(2));
        Assert.Empty(backend.Handshakes);
        Assert.Contains("edge_websocket_upgrades_refused_total{route=\"\",reason=\"not_enabled\"} 1", await AdminClient.GetAsync(edge, "/metrics"));
    }

    [Fact]
    public async Task A_backend_that_does_not_switch_protocols_is_answered_as_it_answered()
    {
        await using var backend = await WsBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(WsConfigs.Relay(backend.Address));
        using var ws = await RawWebSocket.ConnectAsync(edge.Endpoint, "/ws/decline");
        Assert.Equal(403, ws.Status);
        Assert.Contains("no WebSockets for you", await ws.ReadRestAsync(2));
        Assert.Contains("edge_websocket_upgrades_refused_total{route=\"ws\",reason=\"backend_declined\"} 1", await AdminClient.GetAsync(edge, "/metrics"));
    }

    [Theory]
    [InlineData("wrong accept", "Sec-WebSocket-Accept: dGhlIHNhbXBsZSBub25jZQ==AAAA\r\n", "upstream Sec-WebSocket-Accept is wrong")]
    [InlineData("unoffered extension", "Sec-WebSocket-Accept: {accept}\r\nSec-WebSocket-Extensions: x-webkit-deflate-frame\r\n", "upstream accepted an unsupported extension")]
    [InlineData("unoffered subprotocol", "Sec-WebSocket-Accept: {accept}\r\nSec-WebSocket-Protocol: mqtt\r\n", "upstream chose a subprotocol that was not offered")]
    public async Task A_bad_101_from_the_backend_is_502_and_both_connections_close(string name, string fields, string error)
    {
        Assert.NotEmpty(name);
        await using var raw = new RawBackend(async socket =>
        {
            var head = await RawBackend.ReadHeadAsync(socket);
            var key = head.Split("\r\n").First(l => l.StartsWith("Sec-WebSocket-Key:", StringComparison.OrdinalIgnoreCase))[18..].Trim();
            await RawBackend.SendAsync(socket, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + fields.Replace("{accept}", WebSocketViolationTests.Accept(key)) + "\r\n");
            var buffer = new byte[256];
            while (await socket.ReceiveAsync(buffer, System.Net.Sockets.SocketFlags.None) > 0) { }
        });
        await using var edge = await EdgeInstance.StartAsync(WsConfigs.Relay(raw.Address));
        using var ws = await RawWebSocket.ConnectAsync(edge.Endpoint, "/ws/echo");
        Assert.Equal(502, ws.Status);
        Assert.Contains(error, await ws.ReadRestAsync(5));
        Assert.Contains("Connection: close", ws.ResponseHead);
        Assert.Contains("reason=\"bad_backend_handshake\"} 1", await AdminClient.GetAsync(edge, "/metrics"));
    }

    [Fact]
    public async Task An_h2c_upgrade_is_forwarded_as_plain_http_without_the_upgrade()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(WsConfigs.Relay(backend.Address));
        using var client = await RawClient.ConnectAsync(edge.Endpoint);
        await client.SendAsync("GET /headers HTTP/1.1\r\nHost: t\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n");
        var response = await client.ReadResponseAsync();
        Assert.Equal(200, response!.Status);
        var seen = response.BodyText.ToLowerInvariant();
        Assert.DoesNotContain("\"upgrade\"", seen);
        Assert.DoesNotContain("http2-settings", seen);
        Assert.Contains("reason=\"other_protocol\"} 1", await AdminClient.GetAsync(edge, "/metrics"));
    }

    [Fact]
    public async Task Max_connections_per_ip_refuses_the_next_handshake_with_429_until_one_closes()
    {
        await using var backend = await WsBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(WsConfigs.Relay(backend.Address, "enabled: true, maxConnectionsPerIp: 1"));
        var first = await RawWebSocket.ConnectAsync(edge.Endpoint, "/ws/echo");
        Assert.Equal(101, first.Status);
        using (var second = await RawWebSocket.ConnectAsync(edge.Endpoint, "/ws/echo"))
        {
            Assert.Equal(429, second.Status);
        }
        await first.SendFrameAsync(8, RawWebSocket.ClosePayload(1000));
        Assert.Equal(1000, (await first.ReadUntilCloseAsync())!.CloseCode);
        first.Dispose();
        await WebSocketRelayTests.WaitForOpenAsync(edge, 0);
        using var third = await RawWebSocket.ConnectAsync(edge.Endpoint, "/ws/echo");
        Assert.Equal(101, third.Status);
        Assert.Contains("reason=\"per_ip_limit\"} 1", await AdminClient.GetAsync(edge, "/metrics"));
    }
}
