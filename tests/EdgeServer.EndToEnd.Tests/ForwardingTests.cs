using System.Net;
using System.Text.Json;
using EdgeServer.EndToEnd.Tests.Infrastructure;

namespace EdgeServer.EndToEnd.Tests;

/// <summary>Requests through the real daemon to a real Kestrel backend: headers, keep-alive reuse, pipelining, bodies both ways.</summary>
public sealed class ForwardingTests
{
    [Fact]
    public async Task Forwards_and_adds_forwarding_headers_and_strips_hop_by_hop_ones()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(Configs.SingleBackend(backend.Address));
        using var client = await RawClient.ConnectAsync(edge.Endpoint);
        await client.SendAsync(
            "GET /headers HTTP/1.1\r\nHost: api.example\r\nConnection: keep-alive, X-Secret\r\nX-Secret: 1\r\n" +
            "Keep-Alive: timeout=5\r\nTE: trailers\r\nX-Forwarded-For: 6.6.6.6\r\nX-Request-Id: spoofed\r\nX-Custom: kept\r\n\r\n");
        var response = await client.ReadResponseAsync();

        Assert.NotNull(response);
        Assert.Equal(200, response.Status);
        var seen = JsonSerializer.Deserialize<Dictionary<string, string>>(response.Body)!;
        var headers = new Dictionary<string, string>(seen, StringComparer.OrdinalIgnoreCase);
        Assert.Equal("api.example", headers["Host"]);
        Assert.Equal("kept", headers["X-Custom"]);
        Assert.Equal("127.0.0.1", headers["X-Forwarded-For"]);   // untrusted listener: the client's copy is replaced
        Assert.Equal("http", headers["X-Forwarded-Proto"]);
        Assert.Equal("api.example", headers["X-Forwarded-Host"]);
        Assert.NotEqual("spoofed", headers["X-Request-Id"]);
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{16}$", headers["X-Request-Id"]);
        Assert.False(headers.ContainsKey("X-Secret"));           // named by Connection
        Assert.False(headers.ContainsKey("Keep-Alive"));
        Assert.False(headers.ContainsKey("TE"));
    }

    [Fact]
    public async Task Trusted_listener_appends_to_forwarded_for_and_keeps_request_id()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(Configs.SingleBackend(backend.Address, listenerExtra: "    trustForwardedHeaders: true"));
        using var client = await RawClient.ConnectAsync(edge.Endpoint);
        await client.SendAsync("GET /headers HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 10.0.0.1\r\nX-Request-Id: abc-123\r\nX-Forwarded-Proto: https\r\n\r\n");
        var response = await client.ReadResponseAsync();

        var headers = new Dictionary<string, string>(JsonSerializer.Deserialize<Dictionary<string, string>>(response!.Body)!, StringComparer.OrdinalIgnoreCase);
        Assert.Equal("10.0.0.1, 127.0.0.1", headers["X-Forwarded-For"]);
        Assert.Equal("abc-123", headers["X-Request-Id"]);
        Assert.Equal("https", headers["X-Forwarded-Proto"]);
    }

    [Fact]
    public async Task Upstream_connections_are_reused_across_requests_and_client_connections()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(Configs.SingleBackend(backend.Address));
        for (var c = 0; c < 5; c++)
        {
            using var client = await RawClient.ConnectAsync(edge.Endpoint);
            for (var i = 0; i < 20; i++)
            {
                await client.SendAsync("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
                var response = await client.ReadResponseAsync();
                Assert.Equal(200, response!.Status);
                Assert.Equal("hello from backend", response.BodyText);
            }
        }
        // 100 requests over 5 client connections, one at a time: one upstream connection serves them all.
        Assert.Equal(1, backend.Connections);
    }

    [Fact]
    public async Task Pipelined_requests_are_answered_in_order()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(Configs.SingleBackend(backend.Address));
        using var client = await RawClient.ConnectAsync(edge.Endpoint);
        await client.SendAsync(
            "GET /a HTTP/1.1\r\nHost: a\r\n\r\n" +
            "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello" +
            "GET /c HTTP/1.1\r\nHost: a\r\n\r\n");
        var first = await client.ReadResponseAsync();
        var second = await client.ReadResponseAsync();
        var third = await client.ReadResponseAsync();
        Assert.Contains("\"path\":\"/a\"", first!.BodyText, StringComparison.Ordinal);
        Assert.Equal("hello", second!.BodyText);
        Assert.Contains("\"path\":\"/c\"", third!.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chunked_request_body_is_relayed_and_chunked_response_comes_back()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(Configs.SingleBackend(backend.Address));
        using var client = await RawClient.ConnectAsync(edge.Endpoint);
        await client.SendAsync("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n");
        var echoed = await client.ReadResponseAsync();
        Assert.Equal(200, echoed!.Status);
        Assert.Equal("hello world", echoed.BodyText);

        await client.SendAsync("GET /big/300000 HTTP/1.1\r\nHost: a\r\n\r\n");
        var big = await client.ReadResponseAsync();
        Assert.Equal("chunked", big!.Header("Transfer-Encoding"));
        Assert.Equal(300000, big.Body.Length);
        Assert.All(big.Body, b => Assert.Equal((byte)'x', b));
    }

    [Fact]
    public async Task Expect_100_continue_is_relayed_before_the_body_is_sent()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(Configs.SingleBackend(backend.Address));
        using var client = await RawClient.ConnectAsync(edge.Endpoint);
        await client.SendAsync("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
        var interim = await client.ReadResponseAsync();
        Assert.Equal(100, interim!.Status);
        await client.SendAsync("ping");
        var final = await client.ReadResponseAsync();
        Assert.Equal(200, final!.Status);
        Assert.Equal("ping", final.BodyText);
    }

    [Fact]
    public async Task Head_and_204_and_304_responses_carry_no_body_and_keep_the_connection()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(Configs.SingleBackend(backend.Address));
        using var client = await RawClient.ConnectAsync(edge.Endpoint);
        await client.SendAsync("HEAD /big/1000 HTTP/1.1\r\nHost: a\r\n\r\n");
        var head = await client.ReadResponseAsync(headOnly: true);
        Assert.Equal(200, head!.Status);
        await client.SendAsync("GET /status/204 HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal(204, (await client.ReadResponseAsync())!.Status);
        await client.SendAsync("GET /status/304 HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal(304, (await client.ReadResponseAsync())!.Status);
        await client.SendAsync("GET /hello HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal("hello from backend", (await client.ReadResponseAsync())!.BodyText);
    }

    [Fact]
    public async Task Http10_client_gets_a_complete_response()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(Configs.SingleBackend(backend.Address));
        using var client = await RawClient.ConnectAsync(edge.Endpoint);
        await client.SendAsync("GET /big/5000 HTTP/1.0\r\n\r\n");
        var all = System.Text.Encoding.Latin1.GetString(await client.ReadToCloseAsync());
        var split = all.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = all[..split];
        Assert.StartsWith("HTTP/1.1 200 ", head, StringComparison.Ordinal);
        Assert.DoesNotContain("Transfer-Encoding", head, StringComparison.OrdinalIgnoreCase);   // a 1.0 client cannot read chunked
        Assert.Equal(5000, all.Length - split - 4);
    }

    [Fact]
    public async Task HttpClient_round_trip_with_large_bodies_both_ways()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(Configs.SingleBackend(backend.Address, routeExtra: "    maxBodyBytes: 64MiB"));
        using var http = edge.CreateClient();
        var payload = new byte[5 * 1024 * 1024];
        Random.Shared.NextBytes(payload);
        using var response = await http.PostAsync("/echo", new ByteArrayContent(payload));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(payload, await response.Content.ReadAsByteArrayAsync());
    }
}
