using EdgeServer.EndToEnd.Tests.Infrastructure;

namespace EdgeServer.EndToEnd.Tests;

/// <summary>
/// Hostile and malformed requests against the running daemon: each gets its precise status, the
/// connection closes, and nothing reaches the backend.
/// </summary>
public sealed class RequestValidationTests
{
    /// <summary>Request, status, and whether the head may reach the backend (chunked framing errors are found while the body streams; the broken bytes themselves are never relayed).</summary>
    public static TheoryData<string, int, bool> Refusals => new()
    {
        { "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400, false },
        { "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", 400, false },
        { "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400, false },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 501, false },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400, false },
        { "GET / HTTP/1.1\r\nHost: a\r\nX-Folded: a\r\n b\r\n\r\n", 400, false },
        { "GET / HTTP/1.1\nHost: a\n\n", 400, false },
        { "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400, false },
        { "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, false },
        { "GET / HTTP/1.1\r\n\r\n", 400, false },
        { "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505, false },
        { "GET /\x01 HTTP/1.1\r\nHost: a\r\n\r\n", 400, false },
        { "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\n", 400, true },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Malformed_or_ambiguous_requests_are_refused_and_never_forwarded(string request, int status, bool headMayReachBackend)
    {
        await using var backend = await TestBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(Configs.SingleBackend(backend.Address));
        using var client = await RawClient.ConnectAsync(edge.Endpoint);
        await client.SendAsync(request);
        var response = await client.ReadResponseAsync();
        Assert.NotNull(response);
        Assert.Equal(status, response.Status);
        Assert.Equal("application/json", response.Header("Content-Type"));
        Assert.Contains("\"request_id\":", response.BodyText, StringComparison.Ordinal);
        if (!headMayReachBackend) Assert.Equal(0, backend.Connections);
        Assert.True(await client.IsClosedByServerAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Oversized_request_line_is_414_and_oversized_headers_are_431()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(Configs.SingleBackend(backend.Address));
        using (var client = await RawClient.ConnectAsync(edge.Endpoint))
        {
            await client.SendAsync($"GET /{new string('a', 9000)} HTTP/1.1\r\nHost: a\r\n\r\n");
            Assert.Equal(414, (await client.ReadResponseAsync())!.Status);
        }
        using (var client = await RawClient.ConnectAsync(edge.Endpoint))
        {
            await client.SendAsync($"GET / HTTP/1.1\r\nHost: a\r\nCookie: {new string('c', 40 * 1024)}\r\n\r\n");
            Assert.Equal(431, (await client.ReadResponseAsync())!.Status);
        }
        using (var client = await RawClient.ConnectAsync(edge.Endpoint))
        {
            var many = string.Concat(Enumerable.Range(0, 150).Select(i => $"X-H{i}: v\r\n"));
            await client.SendAsync($"GET / HTTP/1.1\r\nHost: a\r\n{many}\r\n");
            Assert.Equal(431, (await client.ReadResponseAsync())!.Status);
        }
        Assert.Equal(0, backend.Connections);
    }

    [Fact]
    public async Task Body_over_the_route_limit_is_413_before_anything_is_forwarded()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(Configs.SingleBackend(backend.Address, routeExtra: "    maxBodyBytes: 1KiB"));
        using (var client = await RawClient.ConnectAsync(edge.Endpoint))
        {
            await client.SendAsync("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 2048\r\n\r\n");
            Assert.Equal(413, (await client.ReadResponseAsync())!.Status);
        }
        Assert.Equal(0, backend.Connections);

        // Chunked bodies have no declared size: the limit is enforced as the data streams.
        using (var client = await RawClient.ConnectAsync(edge.Endpoint))
        {
            var chunk = new string('z', 800);
            await client.SendAsync($"POST /count HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n320\r\n{chunk}\r\n320\r\n{chunk}\r\n0\r\n\r\n");
            var response = await client.ReadResponseAsync();
            Assert.Equal(413, response!.Status);
        }
    }

    [Fact]
    public async Task Slow_header_gets_408_and_the_connection_closes()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(Configs.SingleBackend(backend.Address, limits: "  headerTimeout: 1s"));
        using var client = await RawClient.ConnectAsync(edge.Endpoint);
        await client.SendAsync("GET / HTTP/1.1\r\nHost: a\r\n");   // never finishes the head
        var response = await client.ReadResponseAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(408, response!.Status);
        Assert.True(await client.IsClosedByServerAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Unknown_route_is_404_with_a_json_error()
    {
        await using var backend = await TestBackend.StartAsync();
        var yaml = Configs.Proxy(
            $"  - name: app\n    destinations: [{backend.Address}]",
            "  - name: api\n    match:\n      path: /api\n    cluster: app");
        await using var edge = await EdgeInstance.StartAsync(yaml);
        using var client = await RawClient.ConnectAsync(edge.Endpoint);
        await client.SendAsync("GET /apix HTTP/1.1\r\nHost: a\r\n\r\n");
        var response = await client.ReadResponseAsync();
        Assert.Equal(404, response!.Status);
        Assert.Contains("\"error\":\"no route matches the request\"", response.BodyText, StringComparison.Ordinal);
        await client.SendAsync("GET /api/x HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal(200, (await client.ReadResponseAsync())!.Status);
    }
}
