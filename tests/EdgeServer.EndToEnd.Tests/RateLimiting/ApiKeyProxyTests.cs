using System.Text.Json;
using EdgeServer.ApiKeys;
using EdgeServer.EndToEnd.Tests.Infrastructure;
using EdgeServer.Policy.ApiKeys;

namespace EdgeServer.EndToEnd.Tests.RateLimiting;

/// <summary>API keys and usage plans through the running proxy: authentication, plan scope, throttle, quota, store reload.</summary>
public sealed class ApiKeyProxyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edge-keys-e2e-").FullName;
    private string Store => Path.Combine(_dir, "keys.yaml");

    private (string Key, ApiKeyEntry Entry) NewKey(string name, string plan)
    {
        var key = ApiKeyFormat.Generate();
        Assert.True(ApiKeyFormat.TryParse(key, out var id));
        return (key, new ApiKeyEntry(id, name, "tests", plan, ApiKeyFormat.Hash(key), DateTimeOffset.UtcNow));
    }

    private string Config(string backend, string plans) => $$"""
        listeners:
          - name: public
            address: 127.0.0.1:0
        admin:
          address: 127.0.0.1:0
        apiKeys:
          store: {{Store}}
        usagePlans:
        {{plans}}
        routes:
          - name: api
            match: { path: / }
            cluster: app
            apiKey: { plans: [gold, silver] }
        clusters:
          - name: app
            destinations: [{{backend}}]
        accessLog:
          enabled: false
        """;

    private static async Task<RawResponse> GetAsync(EdgeInstance edge, string path, string? key)
    {
        using var client = await RawClient.ConnectAsync(edge.Endpoint);
        await client.SendAsync($"GET {path} HTTP/1.1\r\nHost: a\r\n{(key is null ? "" : $"X-Api-Key: {key}\r\n")}\r\n");
        return (await client.ReadResponseAsync())!;
    }

    [Fact]
    public async Task Keys_are_authenticated_scoped_by_plan_forwarded_by_name_and_revocation_applies_without_a_reload()
    {
        var gold = NewKey("billing", "gold");
        var bronze = NewKey("intern", "bronze");
        ApiKeyStoreWriter.Write(Store, [gold.Entry, bronze.Entry]);
        await using var backend = await TestBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(Config(backend.Address, """
              - { name: gold }
              - { name: silver }
              - { name: bronze }
            """));

        var ok = await GetAsync(edge, "/headers", gold.Key);
        Assert.Equal(200, ok.Status);
        var seen = JsonSerializer.Deserialize<Dictionary<string, string>>(ok.BodyText)!;
        Assert.Equal("billing", seen["x-api-key-name"]);
        Assert.False(seen.ContainsKey("x-api-key"), "the key itself never reaches the backend");

        var missing = await GetAsync(edge, "/headers", null);
        Assert.Equal(403, missing.Status);
        Assert.Contains("API key", missing.BodyText, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(403, (await GetAsync(edge, "/headers", NewKey("ghost", "gold").Key)).Status);
        Assert.Equal(403, (await GetAsync(edge, "/headers", gold.Key[..^1] + (gold.Key[^1] == 'a' ? 'b' : 'a'))).Status);
        var scope = await GetAsync(edge, "/headers", bronze.Key);
        Assert.Equal(403, scope.Status);
        Assert.Contains("usage plan", scope.BodyText, StringComparison.Ordinal);

        // `edge keys revoke` rewrites the store; the edge picks it up without a reload.
        ApiKeyStoreWriter.Write(Store, [gold.Entry.Revoke(DateTimeOffset.UtcNow), bronze.Entry]);
        var revoked = false;
        for (var i = 0; i < 50 && !revoked; i++)
        {
            await Task.Delay(100);
            revoked = (await GetAsync(edge, "/headers", gold.Key)).Status == 403;
        }
        Assert.True(revoked, "a revoked key should be refused within seconds");
    }

    [Fact]
    public async Task A_plans_throttle_and_quota_answer_429_with_their_policy()
    {
        var throttled = NewKey("fast", "gold");
        var capped = NewKey("daily", "silver");
        ApiKeyStoreWriter.Write(Store, [throttled.Entry, capped.Entry]);
        await using var backend = await TestBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(Config(backend.Address, """
              - { name: gold, throttle: { rate: 60/h, burst: 2 } }
              - { name: silver, quota: { limit: 3, period: day } }
            """));

        Assert.Equal(200, (await GetAsync(edge, "/hello", throttled.Key)).Status);
        Assert.Equal(200, (await GetAsync(edge, "/hello", throttled.Key)).Status);
        var throttle = await GetAsync(edge, "/hello", throttled.Key);
        Assert.Equal(429, throttle.Status);
        Assert.Equal("\"gold\";q=60;w=3600", throttle.Header("RateLimit-Policy"));

        for (var i = 0; i < 3; i++) Assert.Equal(200, (await GetAsync(edge, "/hello", capped.Key)).Status);
        var quota = await GetAsync(edge, "/hello", capped.Key);
        Assert.Equal(429, quota.Status);
        Assert.Contains("quota exhausted", quota.BodyText, StringComparison.Ordinal);
        Assert.Equal("\"silver-quota\";q=3;w=86400", quota.Header("RateLimit-Policy"));
        var now = DateTimeOffset.UtcNow;
        var untilMidnight = (long)Math.Ceiling((now.UtcDateTime.Date.AddDays(1) - now.UtcDateTime).TotalSeconds);
        Assert.InRange(long.Parse(quota.Header("Retry-After")!, System.Globalization.CultureInfo.InvariantCulture), untilMidnight - 5, untilMidnight + 5);
        // The other key's plan is untouched by this one's quota.
        Assert.Equal(429, (await GetAsync(edge, "/hello", throttled.Key)).Status);
    }

    [Fact]
    public async Task A_key_whose_plan_the_config_lacks_is_refused_at_load()
    {
        ApiKeyStoreWriter.Write(Store, [NewKey("odd", "platinum").Entry]);
        await using var backend = await TestBackend.StartAsync();
        var result = EdgeServer.Config.ConfigLoader.LoadYaml(Config(backend.Address, "  - { name: gold }\n  - { name: silver }"), Path.Combine(_dir, "edge.yaml"));
        Assert.False(result.Ok);
        Assert.Contains(result.Errors, e => e.Message.Contains("usage plan 'platinum', which is not declared", StringComparison.Ordinal));
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
