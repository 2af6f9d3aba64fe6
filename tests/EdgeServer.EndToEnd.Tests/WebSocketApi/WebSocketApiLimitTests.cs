using System.Net;
using System.Net.WebSockets;
using EdgeServer.EndToEnd.Tests.Infrastructure;
using static EdgeServer.EndToEnd.Tests.WebSocketApi.ApiEdge;

namespace EdgeServer.EndToEnd.Tests.WebSocketApi;

/// <summary>The WebSocket API's timeouts, bounds and lifecycle: idle timeout, a full delivery queue, a failed $connect, reload, shutdown.</summary>
public sealed class WebSocketApiLimitTests
{
    [Fact]
    public async Task An_idle_connection_is_closed_with_1001_after_idleTimeout_and_disconnect_is_called()
    {
        await using var backend = await ApiBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(EdgeConfig(backend.Address, "      idleTimeout: 2s"));
        using var ws = await ConnectAsync(edge);
        var id = (await backend.WaitForAsync(c => c.EventType == "CONNECT")).ConnectionId;
        var started = Environment.TickCount64;
        var (type, _) = await ReceiveAsync(ws, 8000);
        Assert.Equal(WebSocketMessageType.Close, type);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, ws.CloseStatus);   // 1001
        Assert.InRange(Environment.TickCount64 - started, 1500, 5000);
        await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
        var disconnect = await backend.WaitForAsync(c => c.ConnectionId == id && c.EventType == "DISCONNECT");
        Assert.Equal("1001", disconnect.Headers["X-Edge-Close-Code"]);
        Assert.Equal("idle timeout", disconnect.Headers["X-Edge-Close-Reason"]);
    }

    [Fact]
    public async Task Edge_pings_keep_a_quiet_client_alive_past_idleTimeout()
    {
        await using var backend = await ApiBackend.StartAsync();
        // ClientWebSocket answers pings with pongs, which count as activity.
        await using var edge = await EdgeInstance.StartAsync(EdgeConfig(backend.Address, "      idleTimeout: 3s").Replace("pingInterval: 0s", "pingInterval: 1s", StringComparison.Ordinal));
        using var ws = await ConnectAsync(edge);
        var receive = ReceiveAsync(ws, 30_000);
        await Task.Delay(5000);
        Assert.False(receive.IsCompleted);
        Assert.Equal(WebSocketState.Open, ws.State);
    }

    [Fact]
    public async Task A_client_outrunning_its_backend_is_closed_with_1008_when_the_queue_is_full()
    {
        await using var backend = await ApiBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(EdgeConfig(backend.Address, "      maxQueuedMessages: 2"));
        using var ws = await ConnectAsync(edge);
        // One in flight (2 s each) and two waiting; the fourth has no room.
        for (var i = 0; i < 4; i++) await SendTextAsync(ws, """{"action":"slow"}""");
        Assert.Equal(WebSocketMessageType.Close, (await ReceiveAsync(ws)).Type);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, ws.CloseStatus);
        var metrics = await AdminClient.GetAsync(edge, "/metrics");
        Assert.Contains("edge_wsapi_messages_dropped_total{route=\"api\",reason=\"queue_full\"} 1", metrics, StringComparison.Ordinal);
        // The three accepted messages are still delivered, then $disconnect.
        var disconnect = await backend.WaitForAsync(c => c.EventType == "DISCONNECT", 15_000);
        Assert.Equal(3, backend.For(disconnect.ConnectionId).Count(c => c.EventType == "MESSAGE"));
        Assert.Equal("1008", disconnect.Headers["X-Edge-Close-Code"]);
    }

    [Fact]
    public async Task Messages_over_the_rate_close_with_1008()
    {
        await using var backend = await ApiBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(EdgeConfig(backend.Address, "      messagesPerSecond: 1\n      messagesBurst: 2"));
        using var ws = await ConnectAsync(edge);
        for (var i = 0; i < 3; i++) await SendTextAsync(ws, """{"action":"sendMessage"}""");
        Assert.Equal(WebSocketMessageType.Close, (await ReceiveAsync(ws)).Type);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, ws.CloseStatus);
        var metrics = await AdminClient.GetAsync(edge, "/metrics");
        Assert.Contains("edge_wsapi_messages_dropped_total{route=\"api\",reason=\"rate_limited\"} 1", metrics, StringComparison.Ordinal);
        var disconnect = await backend.WaitForAsync(c => c.EventType == "DISCONNECT");
        Assert.Equal(2, backend.For(disconnect.ConnectionId).Count(c => c.EventType == "MESSAGE"));
    }

    [Fact]
    public async Task Connections_per_address_over_the_limit_are_refused_with_429()
    {
        await using var backend = await ApiBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(EdgeConfig(backend.Address, "      maxConnectionsPerIp: 2"));
        using var first = await ConnectAsync(edge);
        using var second = await ConnectAsync(edge);
        using var third = new ClientWebSocket();
        third.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<WebSocketException>(() => third.ConnectAsync(WsUri(edge), CancellationToken.None));
        Assert.Equal(HttpStatusCode.TooManyRequests, third.HttpStatusCode);
        // A slot comes back when a connection ends.
        await first.CloseAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
        await backend.WaitForAsync(c => c.EventType == "DISCONNECT");
        using var fourth = await ConnectAsync(edge);
        Assert.Equal(WebSocketState.Open, fourth.State);
    }

    [Fact]
    public async Task A_reply_over_maxMessageBytes_is_not_sent_and_counts_as_an_error()
    {
        await using var backend = await ApiBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(EdgeConfig(backend.Address).Replace("maxMessageBytes: 4096", "maxMessageBytes: 100", StringComparison.Ordinal));
        using var ws = await ConnectAsync(edge);
        var small = """{"action":"echo","pad":"12345"}""";
        await SendTextAsync(ws, small);
        Assert.Equal((WebSocketMessageType.Text, "echo:" + small), await ReceiveAsync(ws));
        var big = "{\"action\":\"echo\",\"pad\":\"" + new string('x', 71) + "\"}";   // 97 bytes in, 102 back
        Assert.Equal(97, big.Length);
        await SendTextAsync(ws, big);
        await SendTextAsync(ws, small);
        Assert.Equal((WebSocketMessageType.Text, "echo:" + small), await ReceiveAsync(ws));   // the big one's reply never came
        var metrics = await AdminClient.GetAsync(edge, "/metrics");
        Assert.Contains("edge_wsapi_backend_calls_total{route=\"api\",route_key=\"echo\",result=\"error\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("edge_wsapi_backend_calls_total{route=\"api\",route_key=\"echo\",result=\"2xx\"} 2", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_connection_is_one_access_log_line_when_it_ends()
    {
        await using var backend = await ApiBackend.StartAsync();
        var log = Path.Combine(Path.GetTempPath(), $"edge-wsapi-access-{Guid.NewGuid():N}.log");
        try
        {
            var yaml = EdgeConfig(backend.Address).Replace("accessLog:\n  enabled: false", $"accessLog:\n  path: {log}", StringComparison.Ordinal);
            Assert.Contains(log, yaml, StringComparison.Ordinal);
            await using (var edge = await EdgeInstance.StartAsync(yaml))
            {
                using var ws = await ConnectAsync(edge, "/ws?room=7");
                var id = (await backend.WaitForAsync(c => c.EventType == "CONNECT")).ConnectionId;
                using var admin = AdminHttp(edge);
                using (await admin.DeleteAsync($"/@connections/{id}")) { }
                Assert.Equal(WebSocketMessageType.Close, (await ReceiveAsync(ws)).Type);
                await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
                await backend.WaitForAsync(c => c.ConnectionId == id && c.EventType == "DISCONNECT");
            }
            var line = System.Text.Json.JsonDocument.Parse(File.ReadAllLines(log).Single(l => l.Contains("\"status\":101", StringComparison.Ordinal))).RootElement;
            Assert.Equal("GET", line.GetProperty("method").GetString());
            Assert.Equal("/ws", line.GetProperty("path").GetString());
            Assert.Equal("api", line.GetProperty("route").GetString());
            Assert.Equal(1000, line.GetProperty("ws_close").GetInt32());
            Assert.Equal("closed by the backend", line.GetProperty("error").GetString());
        }
        finally
        {
            File.Delete(log);
        }
    }

    [Fact]
    public async Task A_connect_backend_that_is_down_refuses_the_handshake_with_502()
    {
        // A port nothing listens on: bind one and close it.
        var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        await using var edge = await EdgeInstance.StartAsync(EdgeConfig($"127.0.0.1:{port}"));
        using var ws = new ClientWebSocket();
        ws.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<WebSocketException>(() => ws.ConnectAsync(WsUri(edge), CancellationToken.None));
        Assert.Equal(HttpStatusCode.BadGateway, ws.HttpStatusCode);
        var metrics = await AdminClient.GetAsync(edge, "/metrics");
        Assert.Contains("edge_wsapi_backend_calls_total{route=\"api\",route_key=\"$connect\",result=\"error\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reload_keeps_open_connections_and_pushes_still_reach_them()
    {
        await using var backend = await ApiBackend.StartAsync();
        var config = EdgeConfig(backend.Address);
        await using var edge = await EdgeInstance.StartAsync(config);
        using var ws = await ConnectAsync(edge);
        var id = (await backend.WaitForAsync(c => c.EventType == "CONNECT")).ConnectionId;
        var reloaded = await edge.ReloadAsync(config.Replace("maxMessageBytes: 4096", "maxMessageBytes: 8192", StringComparison.Ordinal));
        Assert.True(reloaded.Ok, string.Join("; ", reloaded.Errors));
        using var admin = AdminHttp(edge);
        using var push = await admin.PostAsync($"/@connections/{id}", new StringContent("after reload"));
        Assert.Equal(HttpStatusCode.OK, push.StatusCode);
        Assert.Equal((WebSocketMessageType.Text, "after reload"), await ReceiveAsync(ws));
        await SendTextAsync(ws, """{"action":"echo"}""");
        Assert.Equal((WebSocketMessageType.Text, """echo:{"action":"echo"}"""), await ReceiveAsync(ws));
    }

    [Fact]
    public async Task Shutdown_closes_api_connections_with_1001_and_calls_disconnect()
    {
        await using var backend = await ApiBackend.StartAsync();
        var edge = await EdgeInstance.StartAsync(EdgeConfig(backend.Address));
        using var ws = await ConnectAsync(edge);
        var id = (await backend.WaitForAsync(c => c.EventType == "CONNECT")).ConnectionId;
        var receive = ReceiveAsync(ws, 15_000);
        var stopping = edge.DisposeAsync().AsTask();
        Assert.Equal(WebSocketMessageType.Close, (await receive).Type);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, ws.CloseStatus);
        await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
        await stopping;
        var disconnect = await backend.WaitForAsync(c => c.ConnectionId == id && c.EventType == "DISCONNECT");
        Assert.Equal("1001", disconnect.Headers["X-Edge-Close-Code"]);
    }
}
