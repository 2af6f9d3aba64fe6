using System.Net;
using EdgeServer.ApiKeys;
using EdgeServer.EndToEnd.Tests.Infrastructure;
using EdgeServer.Policy.ApiKeys;
using EdgeServer.Tests.Redis;

namespace EdgeServer.EndToEnd.Tests.RateLimiting;

/// <summary>
/// Two edge processes sharing global limits through one real redis-server, as a fleet does: one limit enforced
/// across both, Redis killed mid-test (each node's fail policy holds, nothing crashes) and restarted (both recover).
/// </summary>
public sealed class GlobalRateLimitTests
{
    /// <summary>A node's listener, admin and Redis sections (ports filled in by <see cref="EdgeProcess"/>).</summary>
    private static string Node(int redisPort, string mode, string failPolicy, string syncInterval) => $$"""
        listeners:
          - name: public
            address: 127.0.0.1:{port}
        admin:
          address: 127.0.0.1:{adminPort}
        accessLog:
          enabled: false
        redis:
          address: 127.0.0.1:{{redisPort}}
          mode: {{mode}}
          failPolicy: {{failPolicy}}
          timeout: 500ms
          connectTimeout: 2s
          syncInterval: {{syncInterval}}
          keyPrefix: "e2e:"

        """;

    private static string Config(int redisPort, string mode, string failPolicy, string syncInterval = "100ms") => Node(redisPort, mode, failPolicy, syncInterval) + """
        rateLimits:
          - name: per-tenant
            key: header
            header: x-tenant
            rate: 5/h
            burst: 5
            global: true
        routes:
          - name: hello
            match: { path: / }
            mock: { status: 200, body: "hello" }
            rateLimits: [per-tenant]
        clusters: []
        """;

    private static async Task<HttpStatusCode> GetAsync(HttpClient http, EdgeProcess edge, string tenant)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{edge.Port}/");
        request.Headers.Add("x-tenant", tenant);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task WaitForMetricAsync(HttpClient http, EdgeProcess edge, string sample, Func<double, bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        double? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = await edge.MetricAsync(http, sample);
            if (last is { } value && condition(value)) return;
            await Task.Delay(20);
        }
        Assert.Fail($"{sample} stayed at {last?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(absent)"}\n{edge.Output}");
    }

    [Fact]
    public async Task Exact_mode_enforces_one_limit_across_two_nodes_and_each_node_keeps_its_fail_policy_while_redis_is_down()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        await using var open = await EdgeProcess.StartAsync(Config(redis.Port, "exact", "open"));
        await using var closed = await EdgeProcess.StartAsync(Config(redis.Port, "exact", "closed"));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        // Alternating between the nodes: exactly the burst of 5 passes in total.
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++) statuses.Add(await GetAsync(http, i % 2 == 0 ? open : closed, "t1"));
        Assert.Equal(5, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(5, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK], statuses.Take(5));

        await redis.KillAsync();
        await WaitForMetricAsync(http, open, "edge_redis_up", v => v == 0);
        await WaitForMetricAsync(http, closed, "edge_redis_up", v => v == 0);
        // Fail-open decides on its own table, which mirrors what Redis said: t1 is still spent, t2 is new.
        Assert.Equal(HttpStatusCode.TooManyRequests, await GetAsync(http, open, "t1"));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(http, open, "t2"));
        // Fail-closed refuses whatever the key: a global limit it cannot check is never exceeded.
        using (var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{closed.Port}/"))
        {
            request.Headers.Add("x-tenant", "t3");
            using var refused = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal("1", refused.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Contains("global rate limit unavailable", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        Assert.True(await open.MetricAsync(http, "edge_ratelimit_redis_fallback_total{limit=\"per-tenant\",policy=\"open\"}") >= 2);
        Assert.True(await closed.MetricAsync(http, "edge_ratelimit_redis_fallback_total{limit=\"per-tenant\",policy=\"closed\"}") >= 1);

        await redis.RestartAsync();
        await WaitForMetricAsync(http, open, "edge_redis_up", v => v == 1);
        await WaitForMetricAsync(http, closed, "edge_redis_up", v => v == 1);
        // Recovered: exact decisions again, from a Redis that restarted empty.
        statuses.Clear();
        for (var i = 0; i < 8; i++) statuses.Add(await GetAsync(http, i % 2 == 0 ? closed : open, "t4"));
        Assert.Equal(5, statuses.Count(s => s == HttpStatusCode.OK));

        // Redis slow rather than gone: it answers nothing for 5 s. Requests do not wait for it beyond the 500 ms
        // timeout: each node's fail policy answers while Redis is still asleep.
        using var sleeper = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("redis-cli",
            ["-p", redis.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "DEBUG", "SLEEP", "5"]) { RedirectStandardOutput = true })!;
        await Task.Delay(100);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await GetAsync(http, closed, "t5"));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(http, open, "t5"));
        Assert.False(sleeper.HasExited, "Redis woke up before the requests were answered: they waited for it");
        await sleeper.WaitForExitAsync();
        Assert.True(await open.MetricAsync(http, "edge_redis_call_failures_total{reason=\"timeout\"}") >= 1);
        Assert.False(open.HasExited || closed.HasExited);
    }

    [Fact]
    public async Task A_global_plan_quota_is_shared_by_nodes_and_survives_an_edge_restart()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        var directory = Directory.CreateTempSubdirectory("edge-global-quota-").FullName;
        try
        {
            var key = ApiKeyFormat.Generate();
            Assert.True(ApiKeyFormat.TryParse(key, out var id));
            var store = Path.Combine(directory, "keys.yaml");
            ApiKeyStoreWriter.Write(store, [new ApiKeyEntry(id, "partner", "tests", "metered", ApiKeyFormat.Hash(key), DateTimeOffset.UtcNow)]);
            var config = Node(redis.Port, "approximate", "open", "50ms") + $$"""
                apiKeys:
                  store: {{store}}
                usagePlans:
                  - name: metered
                    quota: { limit: 4, period: day }
                    global: true
                routes:
                  - name: api
                    match: { path: / }
                    mock: { status: 200, body: "ok" }
                    apiKey: {}
                clusters: []
                """;
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            async Task<HttpStatusCode> Call(EdgeProcess edge)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{edge.Port}/");
                request.Headers.Add("x-api-key", key);
                using var response = await http.SendAsync(request);
                return response.StatusCode;
            }

            await using (var a = await EdgeProcess.StartAsync(config))
            await using (var b = await EdgeProcess.StartAsync(config))
            {
                Assert.Equal(HttpStatusCode.OK, await Call(a));
                Assert.Equal(HttpStatusCode.OK, await Call(a));
                Assert.Equal(HttpStatusCode.OK, await Call(a));
                await WaitForRedisCounterAsync(redis, id, 3);
                // b's first request is counted locally and pushed; the total it gets back (4) exhausts the quota.
                Assert.Equal(HttpStatusCode.OK, await Call(b));
                await WaitForMetricAsync(http, b, Synced, v => v >= 1);
                Assert.Equal(HttpStatusCode.TooManyRequests, await Call(b));
            }
            await WaitForRedisCounterAsync(redis, id, 4);

            // A fresh process starts with empty local counts: its first request passes on them (the documented error
            // of the approximate sync) and is pushed; the total that comes back holds from then on.
            await using var restarted = await EdgeProcess.StartAsync(config);
            Assert.Equal(HttpStatusCode.OK, await Call(restarted));
            await WaitForMetricAsync(http, restarted, Synced, v => v >= 1);
            Assert.Equal(HttpStatusCode.TooManyRequests, await Call(restarted));
            Assert.Equal(HttpStatusCode.TooManyRequests, await Call(restarted));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private const string Synced = "edge_quota_global_synced_keys_total{plan=\"metered\"}";

    private static async Task WaitForRedisCounterAsync(RedisServerProcess redis, ApiKeyId id, long atLeast)
    {
        var window = QuotaWindow.For(QuotaPeriod.Day, DateTimeOffset.UtcNow).Index;
        var (exit, output, _) = (0, "", "");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            (exit, output, _) = await ExternalTool.RunAsync("redis-cli", ["-p", redis.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "GET", $"e2e:quota:metered:{id}:{window}"]);
            if (exit == 0 && long.TryParse(output.Trim(), out var count) && count >= atLeast) return;
            await Task.Delay(20);
        }
        Assert.Fail($"the quota counter in Redis did not reach {atLeast} (last: '{output.Trim()}')");
    }

    [Fact]
    public async Task Approximate_mode_shares_spending_at_each_sync_round()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        await using var a = await EdgeProcess.StartAsync(Config(redis.Port, "approximate", "open", "50ms"));
        await using var b = await EdgeProcess.StartAsync(Config(redis.Port, "approximate", "closed", "50ms"));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        const string synced = "edge_ratelimit_global_synced_keys_total{limit=\"per-tenant\"}";

        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, await GetAsync(http, a, "t1"));
        await WaitForMetricAsync(http, a, synced, v => v >= 1);
        // b has not seen t1: its first request passes on its own table and is pushed; the round brings back a's 3.
        Assert.Equal(HttpStatusCode.OK, await GetAsync(http, b, "t1"));
        await WaitForMetricAsync(http, b, synced, v => v >= 1);
        Assert.Equal(HttpStatusCode.OK, await GetAsync(http, b, "t1"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await GetAsync(http, b, "t1"));
        // a follows t1 (its fleet bucket is not full) and learns b's 2 at its next rounds.
        var before = await a.MetricAsync(http, synced) ?? 0;
        await WaitForMetricAsync(http, a, synced, v => v >= before + 2);
        Assert.Equal(HttpStatusCode.TooManyRequests, await GetAsync(http, a, "t1"));

        // b is fail-closed: with Redis gone its rounds go stale and it refuses; a (fail-open) goes on alone.
        await redis.KillAsync();
        await WaitForMetricAsync(http, b, "edge_ratelimit_global_sync_healthy", v => v == 0);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await GetAsync(http, b, "t2"));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(http, a, "t2"));
        await redis.RestartAsync();
        await WaitForMetricAsync(http, b, "edge_ratelimit_global_sync_healthy", v => v == 1);
        Assert.Equal(HttpStatusCode.OK, await GetAsync(http, b, "t3"));
        Assert.False(a.HasExited || b.HasExited);
    }
}
