using EdgeServer.EndToEnd.Tests.Infrastructure;

namespace EdgeServer.EndToEnd.Tests.RateLimiting;

/// <summary>Local rate limits through the running proxy: 429 with its headers, dry runs, composition, keys, reloads.</summary>
public sealed class RateLimitProxyTests
{
    /// <summary>Rates slow enough (per hour) that no slot comes back while a test runs.</summary>
    private static string Config(string backend, string limits, string listenerLimits = "", string routeLimits = "[per-ip]", string extraRoute = "") => $$"""
        listeners:
          - name: public
            address: 127.0.0.1:0
        {{listenerLimits}}
        admin:
          address: 127.0.0.1:0
        routes:
          - name: app
            match: { path: /app }
            cluster: app
            rateLimits: {{routeLimits}}
          - name: other
            match: { path: /other }
            mock: { status: 200, body: other }
        {{extraRoute}}
        clusters:
          - name: app
            destinations: [{{backend}}]
        accessLog:
          enabled: false
        rateLimits:
        {{limits}}
        """;

    private static async Task<RawResponse> GetAsync(EdgeInstance edge, string path, string headers = "")
    {
        using var client = await RawClient.ConnectAsync(edge.Endpoint);
        await client.SendAsync($"GET {path} HTTP/1.1\r\nHost: a\r\n{headers}\r\n");
        return (await client.ReadResponseAsync())!;
    }

    [Fact]
    public async Task The_request_over_the_burst_gets_429_with_retry_after_and_ratelimit_fields_and_never_reaches_the_backend()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(Config(backend.Address, "  - { name: per-ip, rate: 60/h, burst: 3 }"));
        for (var i = 0; i < 3; i++) Assert.Equal(200, (await GetAsync(edge, "/app")).Status);
        var seen = backend.RequestCount;
        var limited = await GetAsync(edge, "/app");
        Assert.Equal(429, limited.Status);
        Assert.Equal(seen, backend.RequestCount);
        // One slot comes back every minute at 60/h.
        Assert.InRange(int.Parse(limited.Header("Retry-After")!, System.Globalization.CultureInfo.InvariantCulture), 1, 60);
        Assert.Equal("\"per-ip\";q=60;w=3600", limited.Header("RateLimit-Policy"));
        Assert.StartsWith("\"per-ip\";r=0;t=", limited.Header("RateLimit"), StringComparison.Ordinal);
        Assert.Contains("\"limit\":\"per-ip\"", limited.BodyText, StringComparison.Ordinal);
        Assert.Equal(200, (await GetAsync(edge, "/other")).Status);

        var metrics = await AdminClient.GetAsync(edge, "/metrics");
        Assert.Contains("edge_ratelimit_decisions_total{limit=\"per-ip\",result=\"allowed\"} 3", metrics, StringComparison.Ordinal);
        Assert.Contains("edge_ratelimit_decisions_total{limit=\"per-ip\",result=\"limited\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("edge_ratelimit_keys{limit=\"per-ip\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dry_run_limit_only_counts()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(Config(backend.Address, "  - { name: per-ip, rate: 60/h, burst: 1, dryRun: true }"));
        for (var i = 0; i < 3; i++) Assert.Equal(200, (await GetAsync(edge, "/app")).Status);
        var metrics = await AdminClient.GetAsync(edge, "/metrics");
        Assert.Contains("edge_ratelimit_decisions_total{limit=\"per-ip\",result=\"dry_run\"} 2", metrics, StringComparison.Ordinal);
        Assert.Contains("edge_ratelimit_decisions_total{limit=\"per-ip\",result=\"limited\"} 0", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Listener_and_route_limits_compose_and_the_strictest_answers()
    {
        await using var backend = await TestBackend.StartAsync();
        // The listener allows 5 per client over all routes; the route allows 2 per tenant header value.
        await using var edge = await EdgeInstance.StartAsync(Config(backend.Address, """
              - { name: per-ip, rate: 60/h, burst: 5 }
              - { name: tenant, key: header, header: X-Tenant, rate: 60/h, burst: 2 }
            """, listenerLimits: "    rateLimits: [per-ip]", routeLimits: "[tenant]"));
        Assert.Equal(200, (await GetAsync(edge, "/app", "X-Tenant: a\r\n")).Status);
        Assert.Equal(200, (await GetAsync(edge, "/app", "X-Tenant: a\r\n")).Status);
        var tenant = await GetAsync(edge, "/app", "X-Tenant: a\r\n");
        Assert.Equal(429, tenant.Status);
        Assert.StartsWith("\"tenant\"", tenant.Header("RateLimit"), StringComparison.Ordinal);
        Assert.Equal(200, (await GetAsync(edge, "/app", "X-Tenant: b\r\n")).Status);
        // Four requests so far counted against per-ip; the fifth passes, the sixth hits the listener's limit.
        Assert.Equal(200, (await GetAsync(edge, "/other")).Status);
        var listener = await GetAsync(edge, "/other");
        Assert.Equal(429, listener.Status);
        Assert.StartsWith("\"per-ip\"", listener.Header("RateLimit"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reload_keeps_the_counters_of_limits_that_did_not_change()
    {
        await using var backend = await TestBackend.StartAsync();
        var config = Config(backend.Address, """
              - { name: per-ip, rate: 60/h, burst: 2 }
              - { name: spare, rate: 60/h, burst: 2 }
            """);
        await using var edge = await EdgeInstance.StartAsync(config);
        Assert.Equal(200, (await GetAsync(edge, "/app")).Status);
        Assert.Equal(200, (await GetAsync(edge, "/app")).Status);
        Assert.Equal(429, (await GetAsync(edge, "/app")).Status);

        // An unrelated change (a new route, another limit's rate): per-ip keeps its state.
        var changed = config.Replace("{ name: spare, rate: 60/h, burst: 2 }", "{ name: spare, rate: 30/h, burst: 9 }", StringComparison.Ordinal)
            .Replace("mock: { status: 200, body: other }", "mock: { status: 200, body: changed }", StringComparison.Ordinal);
        Assert.True((await edge.ReloadAsync(changed)).Ok);
        Assert.Equal("changed", (await GetAsync(edge, "/other")).BodyText);
        Assert.Equal(429, (await GetAsync(edge, "/app")).Status);

        // Changing the limit itself starts it afresh.
        Assert.True((await edge.ReloadAsync(changed.Replace("{ name: per-ip, rate: 60/h, burst: 2 }", "{ name: per-ip, rate: 60/h, burst: 3 }", StringComparison.Ordinal))).Ok);
        Assert.Equal(200, (await GetAsync(edge, "/app")).Status);
    }

    [Fact]
    public async Task Connections_per_address_are_capped_at_accept_and_a_closed_one_frees_its_slot()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(Config(backend.Address, "  - { name: per-ip, rate: 60/h }",
            listenerLimits: "    connectionLimits: { maxPerIp: 2 }"));
        using var first = await RawClient.ConnectAsync(edge.Endpoint);
        using var second = await RawClient.ConnectAsync(edge.Endpoint);
        await first.SendAsync("GET /other HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal(200, (await first.ReadResponseAsync())!.Status);
        await second.SendAsync("GET /other HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal(200, (await second.ReadResponseAsync())!.Status);
        Assert.True(await IsRefusedAsync(edge));

        first.Dispose();
        // The slot frees when the edge notices the close; poll (bounded) until a third connection is served.
        var served = false;
        for (var i = 0; i < 50 && !served; i++)
        {
            await Task.Delay(100);
            served = !await IsRefusedAsync(edge);
        }
        Assert.True(served, "a closed connection should free its address's slot");
        Assert.Contains("edge_connections_refused_per_ip_total{listener=\"public\",reason=\"max_per_ip\"}", await AdminClient.GetAsync(edge, "/metrics"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task New_connections_per_address_are_rate_limited()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(Config(backend.Address, "  - { name: per-ip, rate: 60/h }",
            listenerLimits: "    connectionLimits: { newPerIp: 60/h, newPerIpBurst: 3 }"));
        for (var i = 0; i < 3; i++) Assert.False(await IsRefusedAsync(edge), $"connection {i + 1} is within the burst");
        Assert.True(await IsRefusedAsync(edge));
        Assert.Contains("edge_connections_refused_per_ip_total{listener=\"public\",reason=\"new_per_ip\"} 1", await AdminClient.GetAsync(edge, "/metrics"), StringComparison.Ordinal);
    }

    /// <summary>True when the edge closes a new connection without answering (refused at accept).</summary>
    private static async Task<bool> IsRefusedAsync(EdgeInstance edge)
    {
        try
        {
            using var client = await RawClient.ConnectAsync(edge.Endpoint);
            await client.SendAsync("GET /other HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
            var response = await client.ReadResponseAsync(TimeSpan.FromSeconds(5));
            return response is null;
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException or IOException)
        {
            return true;
        }
    }
}
