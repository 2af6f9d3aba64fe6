using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using EdgeServer.EndToEnd.Tests.Infrastructure;
using static EdgeServer.EndToEnd.Tests.WebSocketApi.ApiEdge;

namespace EdgeServer.EndToEnd.Tests.WebSocketApi;

/// <summary>
/// The WebSocket API end to end: .NET's ClientWebSocket against the edge, a Kestrel integration backend recording
/// what it is called with, and backends' pushes through the admin listener's /@connections.
/// </summary>
public sealed class WebSocketApiTests : IAsyncLifetime
{
    private ApiBackend _backend = null!;
    private EdgeInstance _edge = null!;

    public async Task InitializeAsync()
    {
        _backend = await ApiBackend.StartAsync();
        _edge = await EdgeInstance.StartAsync(EdgeConfig(_backend.Address));
    }

    public async Task DisposeAsync()
    {
        await _edge.DisposeAsync();
        await _backend.DisposeAsync();
    }

    private async Task<(ClientWebSocket Ws, string Id)> OpenAsync(string query = "", Action<ClientWebSocketOptions>? configure = null)
    {
        var marker = Guid.NewGuid().ToString("N");
        var ws = await ConnectAsync(_edge, "/ws?marker=" + marker + query, configure);
        var connect = await _backend.WaitForAsync(c => c.EventType == "CONNECT" && c.Headers.GetValueOrDefault("X-Edge-Original-Uri", "").Contains(marker, StringComparison.Ordinal));
        return (ws, connect.ConnectionId);
    }

    [Fact]
    public async Task Connect_calls_the_backend_with_the_handshake_and_the_connection_context_before_the_101()
    {
        var (ws, id) = await OpenAsync("&token=abc", o => o.SetRequestHeader("Authorization", "Bearer t0k3n"));
        using (ws)
        {
            Assert.Equal(WebSocketState.Open, ws.State);
            Assert.Equal(22, id.Length);
            Assert.Matches("^[A-Za-z0-9_-]{22}$", id);
            var connect = _backend.For(id).Single(c => c.EventType == "CONNECT");
            Assert.Equal("/connect", connect.Path);
            Assert.Equal("$connect", connect.RouteKey);
            Assert.Equal("api", connect.Headers["X-Edge-Route"]);
            Assert.Equal("127.0.0.1", connect.Headers["X-Edge-Client-Ip"]);
            Assert.Equal("127.0.0.1", connect.Headers["X-Forwarded-For"]);
            Assert.Equal("Bearer t0k3n", connect.Headers["Authorization"]);
            Assert.EndsWith("&token=abc", connect.Headers["X-Edge-Original-Uri"], StringComparison.Ordinal);
            Assert.False(connect.Headers.ContainsKey("Sec-WebSocket-Key"));
        }
    }

    [Fact]
    public async Task Connect_refused_by_the_backend_refuses_the_handshake_with_its_status()
    {
        using var ws = new ClientWebSocket();
        ws.Options.CollectHttpResponseDetails = true;
        ws.Options.SetRequestHeader("X-Reject", "403");
        await Assert.ThrowsAsync<WebSocketException>(() => ws.ConnectAsync(WsUri(_edge), CancellationToken.None));
        Assert.Equal(HttpStatusCode.Forbidden, ws.HttpStatusCode);
        var connect = await _backend.WaitForAsync(c => c.EventType == "CONNECT" && c.Headers.ContainsKey("X-Reject"));
        // Refused connections never open, so they never disconnect.
        await Task.Delay(300);
        Assert.DoesNotContain(_backend.For(connect.ConnectionId), c => c.EventType == "DISCONNECT");
        var metrics = await AdminClient.GetAsync(_edge, "/metrics");
        Assert.Contains("edge_wsapi_backend_calls_total{route=\"api\",route_key=\"$connect\",result=\"4xx\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("edge_wsapi_handshakes_refused_total{route=\"api\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_subprotocol_chosen_by_connect_is_negotiated()
    {
        var (ws, _) = await OpenAsync(configure: o => o.AddSubProtocol("chat.v2"));
        using (ws) Assert.Equal("chat.v2", ws.SubProtocol);
    }

    [Fact]
    public async Task A_plain_request_to_the_api_route_gets_426()
    {
        using var http = _edge.CreateClient();
        using var response = await http.GetAsync("/ws");
        Assert.Equal(HttpStatusCode.UpgradeRequired, response.StatusCode);
    }

    [Fact]
    public async Task Custom_route_key_from_the_selection_expression_is_one_way()
    {
        var (ws, id) = await OpenAsync();
        using (ws)
        {
            const string message = """{"action":"sendMessage","text":"hi"}""";
            await SendTextAsync(ws, message);
            var call = await _backend.WaitForAsync(c => c.ConnectionId == id && c.EventType == "MESSAGE");
            Assert.Equal("/messages", call.Path);
            Assert.Equal("sendMessage", call.RouteKey);
            Assert.Equal(message, call.Body);
            Assert.Equal("text", call.Headers["X-Edge-Message-Type"]);
            Assert.StartsWith("text/plain", call.Headers["Content-Type"], StringComparison.Ordinal);
            // sendMessage has no reply: the next thing the client hears is $default's answer to the next message.
            await SendTextAsync(ws, "after");
            Assert.Equal((WebSocketMessageType.Text, "default:after"), await ReceiveAsync(ws));
        }
    }

    [Fact]
    public async Task Two_way_custom_route_sends_the_backend_answer_back()
    {
        var (ws, _) = await OpenAsync();
        using (ws)
        {
            await SendTextAsync(ws, """{"action":"echo","n":1}""");
            Assert.Equal((WebSocketMessageType.Text, """echo:{"action":"echo","n":1}"""), await ReceiveAsync(ws));
        }
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("""{"action":"unknownAction"}""")]
    [InlineData("""{"action":42}""")]
    [InlineData("""{"other":"sendMessage"}""")]
    [InlineData("""["sendMessage"]""")]
    public async Task Messages_without_a_known_action_go_to_default(string message)
    {
        var (ws, id) = await OpenAsync();
        using (ws)
        {
            await SendTextAsync(ws, message);
            Assert.Equal((WebSocketMessageType.Text, "default:" + message), await ReceiveAsync(ws));
            var call = await _backend.WaitForAsync(c => c.ConnectionId == id && c.EventType == "MESSAGE");
            Assert.Equal("$default", call.RouteKey);
        }
    }

    [Fact]
    public async Task Binary_messages_go_to_default_as_octet_stream()
    {
        var (ws, id) = await OpenAsync();
        using (ws)
        {
            await ws.SendAsync(Encoding.UTF8.GetBytes("""{"action":"echo"}"""), WebSocketMessageType.Binary, true, CancellationToken.None);
            var call = await _backend.WaitForAsync(c => c.ConnectionId == id && c.EventType == "MESSAGE");
            Assert.Equal("$default", call.RouteKey);
            Assert.Equal("binary", call.Headers["X-Edge-Message-Type"]);
            Assert.Equal("application/octet-stream", call.Headers["Content-Type"]);
        }
    }

    [Fact]
    public async Task A_connection_s_messages_reach_the_backend_one_at_a_time_in_order()
    {
        var (ws, id) = await OpenAsync();
        using (ws)
        {
            for (var i = 0; i < 12; i++) await SendTextAsync(ws, $$"""{"action":"sendMessage","seq":{{i}}}""");
            await _backend.WaitForAsync(c => c.ConnectionId == id && c.Body.Contains("\"seq\":11", StringComparison.Ordinal));
            var bodies = _backend.For(id).Where(c => c.EventType == "MESSAGE").Select(c => c.Body).ToList();
            Assert.Equal(Enumerable.Range(0, 12).Select(i => $$"""{"action":"sendMessage","seq":{{i}}}"""), bodies);
        }
    }

    [Fact]
    public async Task Fragmented_messages_are_delivered_whole()
    {
        var (ws, _) = await OpenAsync();
        using (ws)
        {
            await ws.SendAsync(Encoding.UTF8.GetBytes("""{"action":"""), WebSocketMessageType.Text, false, CancellationToken.None);
            await ws.SendAsync(Encoding.UTF8.GetBytes("\"echo\","), WebSocketMessageType.Text, false, CancellationToken.None);
            await ws.SendAsync(Encoding.UTF8.GetBytes("\"x\":true}"), WebSocketMessageType.Text, true, CancellationToken.None);
            Assert.Equal((WebSocketMessageType.Text, """echo:{"action":"echo","x":true}"""), await ReceiveAsync(ws));
        }
    }

    [Fact]
    public async Task Post_to_connections_pushes_a_message_and_get_describes_the_connection()
    {
        var (ws, id) = await OpenAsync();
        using (ws)
        using (var admin = AdminHttp(_edge))
        {
            using var push = await admin.PostAsync($"/@connections/{id}", new StringContent("""{"news":"pushed"}"""));
            Assert.Equal(HttpStatusCode.OK, push.StatusCode);
            Assert.Equal((WebSocketMessageType.Text, """{"news":"pushed"}"""), await ReceiveAsync(ws));

            using var binary = await admin.PostAsync($"/@connections/{id}", new ByteArrayContent([0xFF, 0x00, 0xFE]));
            Assert.Equal(HttpStatusCode.OK, binary.StatusCode);
            Assert.Equal(WebSocketMessageType.Binary, (await ReceiveAsync(ws)).Type);

            var before = DateTimeOffset.UtcNow;
            using var info = await admin.GetAsync($"/@connections/{id}");
            Assert.Equal(HttpStatusCode.OK, info.StatusCode);
            using var json = JsonDocument.Parse(await info.Content.ReadAsStringAsync());
            var root = json.RootElement;
            Assert.Equal(id, root.GetProperty("connectionId").GetString());
            Assert.Equal("api", root.GetProperty("route").GetString());
            Assert.Equal("127.0.0.1", root.GetProperty("identity").GetProperty("sourceIp").GetString());
            Assert.Equal(JsonValueKind.Null, root.GetProperty("identity").GetProperty("clientCertSubject").ValueKind);
            var connectedAt = root.GetProperty("connectedAt").GetDateTimeOffset();
            Assert.InRange(connectedAt, before.AddSeconds(-30), before);
            Assert.True(root.GetProperty("lastActiveAt").GetDateTimeOffset() >= connectedAt.AddMilliseconds(-5));
        }
    }

    [Fact]
    public async Task Delete_closes_the_connection_and_disconnect_follows()
    {
        var (ws, id) = await OpenAsync();
        using (ws)
        using (var admin = AdminHttp(_edge))
        {
            using var delete = await admin.DeleteAsync($"/@connections/{id}");
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
            Assert.Equal(WebSocketMessageType.Close, (await ReceiveAsync(ws)).Type);
            Assert.Equal(WebSocketCloseStatus.NormalClosure, ws.CloseStatus);
            await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);

            var disconnect = await _backend.WaitForAsync(c => c.ConnectionId == id && c.EventType == "DISCONNECT");
            Assert.Equal("/disconnect", disconnect.Path);
            Assert.Equal("$disconnect", disconnect.RouteKey);
            Assert.Equal("1000", disconnect.Headers["X-Edge-Close-Code"]);
            Assert.Equal("closed by the backend", disconnect.Headers["X-Edge-Close-Reason"]);

            using var gone = await admin.PostAsync($"/@connections/{id}", new StringContent("late"));
            Assert.Equal(HttpStatusCode.Gone, gone.StatusCode);
        }
    }

    [Fact]
    public async Task Client_close_calls_disconnect_with_its_code()
    {
        var (ws, id) = await OpenAsync();
        using (ws)
        {
            await ws.CloseAsync((WebSocketCloseStatus)4001, "bye", CancellationToken.None);
            Assert.Equal((WebSocketCloseStatus)4001, ws.CloseStatus);   // the edge echoed it
            var disconnect = await _backend.WaitForAsync(c => c.ConnectionId == id && c.EventType == "DISCONNECT");
            Assert.Equal("4001", disconnect.Headers["X-Edge-Close-Code"]);
            Assert.False(disconnect.Headers.ContainsKey("X-Edge-Close-Reason"));
        }
    }

    [Fact]
    public async Task A_client_that_vanishes_without_a_close_is_disconnected_with_1006()
    {
        var (ws, id) = await OpenAsync();
        ws.Abort();   // the TCP connection ends with no close frame
        ws.Dispose();
        var disconnect = await _backend.WaitForAsync(c => c.ConnectionId == id && c.EventType == "DISCONNECT");
        Assert.Equal("1006", disconnect.Headers["X-Edge-Close-Code"]);
        var metrics = await AdminClient.GetAsync(_edge, "/metrics");
        Assert.Contains("edge_wsapi_closes_total{route=\"api\",code=\"none\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_message_over_maxMessageBytes_closes_with_1009_and_never_reaches_the_backend()
    {
        var (ws, id) = await OpenAsync();
        using (ws)
        {
            await SendTextAsync(ws, "{\"action\":\"sendMessage\",\"pad\":\"" + new string('x', 5000) + "\"}");
            Assert.Equal(WebSocketMessageType.Close, (await ReceiveAsync(ws)).Type);
            Assert.Equal(WebSocketCloseStatus.MessageTooBig, ws.CloseStatus);
            var disconnect = await _backend.WaitForAsync(c => c.ConnectionId == id && c.EventType == "DISCONNECT");
            Assert.Equal("1009", disconnect.Headers["X-Edge-Close-Code"]);
            Assert.DoesNotContain(_backend.For(id), c => c.EventType == "MESSAGE");
            var metrics = await AdminClient.GetAsync(_edge, "/metrics");
            // One frame of 5 KB: over maxFrameBytes too (it is never above maxMessageBytes), which is what the reader sees first.
            Assert.Contains("edge_wsapi_violations_total{route=\"api\",kind=\"frame_too_big\"} 1", metrics, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_client_still_sending_after_its_1009_gets_a_clean_end_not_a_reset()
    {
        // Lingering close (LingeringClose): the edge refuses the frame at its header while the client is still sending
        // the payload; closing with those bytes unread would answer them with a reset (seen in CI before the drain).
        using var ws = await EdgeServer.EndToEnd.Tests.WebSockets.RawWebSocket.ConnectAsync(_edge.Endpoint, "/ws?marker=" + Guid.NewGuid().ToString("N"));
        Assert.Equal(101, ws.Status);
        // More than Kestrel's input pipe takes ahead of the application (1 MiB), so bytes stay in the kernel.
        var frame = EdgeServer.EndToEnd.Tests.WebSockets.RawWebSocket.ClientFrame(2, new byte[4 * 1024 * 1024]);
        await ws.SendRawAsync(frame[..14]);
        var close = await ws.ReadUntilCloseAsync();
        Assert.Equal(1009, close!.CloseCode);

        await ws.SendRawAsync(frame[14..]);
        ws.ShutdownSend();
        Assert.Equal("eof", await ws.ReadEndAsync());
    }

    [Fact]
    public async Task A_fragmented_message_over_maxMessageBytes_closes_with_1009()
    {
        var (ws, _) = await OpenAsync();
        using (ws)
        {
            var chunk = System.Text.Encoding.UTF8.GetBytes(new string('x', 1000));
            try
            {
                for (var i = 0; i < 5; i++) await ws.SendAsync(chunk, WebSocketMessageType.Text, false, CancellationToken.None);
            }
            catch (WebSocketException)
            {
                // The edge may close before the last fragments are written.
            }
            Assert.Equal(WebSocketMessageType.Close, (await ReceiveAsync(ws)).Type);
            Assert.Equal(WebSocketCloseStatus.MessageTooBig, ws.CloseStatus);
            var metrics = await AdminClient.GetAsync(_edge, "/metrics");
            Assert.Contains("edge_wsapi_violations_total{route=\"api\",kind=\"message_too_big\"} 1", metrics, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Unknown_and_malformed_ids_are_410_and_400()
    {
        using var admin = AdminHttp(_edge);
        using var unknown = await admin.PostAsync("/@connections/AAAAAAAAAAAAAAAAAAAAAA", new StringContent("x"));
        Assert.Equal(HttpStatusCode.Gone, unknown.StatusCode);
        using var info = await admin.GetAsync("/@connections/AAAAAAAAAAAAAAAAAAAAAA");
        Assert.Equal(HttpStatusCode.Gone, info.StatusCode);
        using var malformed = await admin.DeleteAsync("/@connections/not-an-id");
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        var metrics = await AdminClient.GetAsync(_edge, "/metrics");
        Assert.Contains("edge_wsapi_admin_calls_total{method=\"POST\",result=\"gone\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("edge_wsapi_admin_calls_total{method=\"GET\",result=\"gone\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("edge_wsapi_admin_calls_total{method=\"DELETE\",result=\"bad_request\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Push_larger_than_maxMessageBytes_is_413()
    {
        var (ws, id) = await OpenAsync();
        using (ws)
        using (var admin = AdminHttp(_edge))
        {
            using var push = await admin.PostAsync($"/@connections/{id}", new StringContent(new string('x', 5000)));
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, push.StatusCode);
        }
    }

    [Fact]
    public async Task Metrics_count_connections_messages_and_calls_by_route_key()
    {
        var (ws, id) = await OpenAsync();
        using (ws)
        {
            await SendTextAsync(ws, """{"action":"echo"}""");
            await ReceiveAsync(ws);
            await SendTextAsync(ws, """{"action":"sendMessage"}""");
            await _backend.WaitForAsync(c => c.ConnectionId == id && c.RouteKey == "sendMessage");
            var metrics = await AdminClient.GetAsync(_edge, "/metrics");
            Assert.Contains("edge_wsapi_connections_open{route=\"api\"} 1", metrics, StringComparison.Ordinal);
            Assert.Contains("edge_wsapi_messages_total{route=\"api\",direction=\"in\"} 2", metrics, StringComparison.Ordinal);
            Assert.Contains("edge_wsapi_messages_total{route=\"api\",direction=\"out\"} 1", metrics, StringComparison.Ordinal);
            Assert.Contains("edge_wsapi_backend_calls_total{route=\"api\",route_key=\"$connect\",result=\"2xx\"} 1", metrics, StringComparison.Ordinal);
            Assert.Contains("edge_wsapi_backend_calls_total{route=\"api\",route_key=\"echo\",result=\"2xx\"} 1", metrics, StringComparison.Ordinal);
        }
    }
}
