using EdgeServer.Config;
using EdgeServer.Config.Model;
using static EdgeServer.Tests.Config.ConfigAssert;

namespace EdgeServer.Tests.Config;

/// <summary>The 'rateLimits' section, listener/route references to it, and listener connection limits.</summary>
public sealed class RateLimitConfigTests
{
    // Lines 5-6: a mock route that the tests hang limits on; 'rateLimits' starts at line 7.
    private const string L = Listener + "routes:\n  - {name: r, mock: {status: 200}, rateLimits: [per-ip]}\n";

    [Fact]
    public void Limits_bind_with_defaults_and_are_referenced_by_routes_and_listeners()
    {
        var config = Valid("""
            listeners:
              - name: public
                address: 127.0.0.1:8080
                rateLimits: [per-ip]
                connectionLimits: { maxPerIp: 100, newPerIp: 20/s }
            admin: {enabled: false}
            routes:
              - {name: r, mock: {status: 200}, rateLimits: [per-key, tenant]}
            rateLimits:
              - { name: per-ip, rate: 100/s }
              - { name: per-key, key: apiKey, rate: 6000/m, burst: 50, dryRun: true }
              - { name: tenant, key: header, header: X-Tenant, rate: 10/h, maxKeys: 1000 }
              - { name: nets, key: ipPrefix, prefixV4: 16, prefixV6: 48, rate: 5/d }
            """);
        var perIp = config.RateLimits[0];
        Assert.Equal((RateLimitKeyKind.ClientIp, 100L, TimeSpan.FromSeconds(1), 100L, false, 100_000), (perIp.Key, perIp.Rate.Count, perIp.Rate.Period, perIp.Burst, perIp.DryRun, perIp.MaxKeys));
        Assert.Equal(TimeSpan.FromMilliseconds(10), perIp.Rate.Interval);
        var perKey = config.RateLimits[1];
        Assert.Equal((RateLimitKeyKind.ApiKey, 6000L, TimeSpan.FromMinutes(1), 50L, true), (perKey.Key, perKey.Rate.Count, perKey.Rate.Period, perKey.Burst, perKey.DryRun));
        Assert.Equal(("X-Tenant", 1000, 10L), (config.RateLimits[2].Header, config.RateLimits[2].MaxKeys, config.RateLimits[2].Burst));
        Assert.Equal((16, 48), (config.RateLimits[3].PrefixV4, config.RateLimits[3].PrefixV6));
        Assert.Equal(["per-ip"], config.Listeners[0].RateLimits);
        Assert.Equal(["per-key", "tenant"], config.Routes[0].RateLimits);
        var connections = config.Listeners[0].ConnectionLimits!;
        Assert.Equal((100, 20L, 20L), (connections.MaxPerIp, connections.NewPerIp!.Value.Count, connections.NewPerIpBurst));

        var json = ConfigJson.ToJsonString(config);
        Assert.Contains("\"rate\": \"6000/m\"", json, StringComparison.Ordinal);
        Assert.Contains("\"newPerIp\": \"20/s\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_reference_points_at_the_name_and_suggests() =>
        HasError(L + "rateLimits:\n  - {name: per-ipp, rate: 1/s}\n", 6, 49, "unknown rate limit 'per-ip' (did you mean 'per-ipp'?)");

    [Theory]
    [InlineData("100", "expected a rate such as 100/s")]
    [InlineData("0/s", "got '0/s'")]
    [InlineData("10/w", "got '10/w'")]
    [InlineData("-5/s", "got '-5/s'")]
    public void Bad_rates_are_refused_at_the_value(string rate, string fragment)
    {
        HasError(L + $"rateLimits:\n  - {{name: per-ip, rate: {rate}}}\n", 8, 26, "'rate'", fragment);
        // The limit is broken, not unknown: the route naming it gets no second error.
        Assert.Single(Load(L + $"rateLimits:\n  - {{name: per-ip, rate: {rate}}}\n").Errors);
    }

    [Fact]
    public void Missing_rate() => HasError(L + "rateLimits:\n  - {name: per-ip}\n", 8, 5, "rate limit 'per-ip' is missing 'rate'");

    [Fact]
    public void Header_key_needs_a_header() =>
        HasError(L + "rateLimits:\n  - {name: per-ip, key: header, rate: 1/s}\n", 8, 5, "counts by header: give the header's name in 'header'");

    [Fact]
    public void Header_only_with_header_key() =>
        HasError(L + "rateLimits:\n  - {name: per-ip, header: X-A, rate: 1/s}\n", 8, 5, "'header' applies only to key: header");

    [Fact]
    public void Unknown_key_kind_suggests() =>
        HasError(L + "rateLimits:\n  - {name: per-ip, key: clientIP4, rate: 1/s}\n", 8, 25, "'key': expected one of clientIp, ipPrefix, apiKey, clientCert, header, route");

    [Fact]
    public void Duplicate_names() =>
        HasError(L + "rateLimits:\n  - {name: per-ip, rate: 1/s}\n  - {name: per-ip, rate: 2/s}\n", 9, 12, "duplicate rate limit name 'per-ip' (first defined at line 8)");

    [Fact]
    public void A_limit_listed_twice() =>
        HasError(Listener + "routes:\n  - {name: r, mock: {status: 200}, rateLimits: [a, a]}\nrateLimits:\n  - {name: a, rate: 1/s}\n", 6, 52, "'a' is listed twice");

    [Fact]
    public void Global_needs_redis() =>
        HasError(L + "rateLimits:\n  - {name: per-ip, rate: 1/s, global: true}\n", 8, 5, "is global, which needs the 'redis' section");

    [Fact]
    public void Prefix_lengths_are_range_checked() =>
        HasError(L + "rateLimits:\n  - {name: per-ip, key: ipPrefix, prefixV4: 33, rate: 1/s}\n", 8, 45, "'prefixV4'");

    [Fact]
    public void Connection_limit_burst_needs_a_rate() =>
        HasError(Listener.Replace("    address: 127.0.0.1:8080\n", "    address: 127.0.0.1:8080\n    connectionLimits: {newPerIpBurst: 5}\n", StringComparison.Ordinal), 4, 23, "'newPerIpBurst' needs 'newPerIp'");

    [Fact]
    public void A_redis_section_binds_every_setting()
    {
        var result = Load(L + "rateLimits:\n  - {name: per-ip, rate: 1/s, global: true}\nredis:\n  address: 127.0.0.1:6390\n  password: s3cret-pw\n  database: 3\n"
            + "  mode: exact\n  failPolicy: closed\n  timeout: 20ms\n  connectTimeout: 2s\n  syncInterval: 250ms\n  keyPrefix: \"fleet-a:\"\n");
        Assert.Empty(result.Errors);
        var redis = result.Config!.Redis!;
        Assert.Equal(("127.0.0.1", 6390, "s3cret-pw", 3), (redis.Address.Host, redis.Address.Port, redis.Password, redis.Database));
        Assert.Equal((GlobalLimitMode.Exact, RedisFailPolicy.Closed), (redis.Mode, redis.FailPolicy));
        Assert.Equal((TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(250), "fleet-a:"),
            (redis.Timeout, redis.ConnectTimeout, redis.SyncInterval, redis.KeyPrefix));
        Assert.True(Assert.Single(result.Config.RateLimits).Global);
    }

    [Fact]
    public void A_global_usage_plan_needs_redis() =>
        HasError(L + "rateLimits:\n  - {name: per-ip, rate: 1/s}\nusagePlans:\n  - {name: gold, quota: {limit: 5}, global: true}\n", 10, 5,
            "usage plan 'gold' is global, which needs the 'redis' section");

    [Fact]
    public void A_global_rate_is_at_most_a_million_per_second() =>
        HasError(L + "rateLimits:\n  - {name: fast, rate: 2000000/s, global: true}\nredis:\n  address: 127.0.0.1:6379\n", 8, 5, "at most 1000000/s");

    [Fact]
    public void A_sync_interval_below_10ms_is_refused() =>
        HasError(L + "rateLimits:\n  - {name: per-ip, rate: 1/s}\nredis:\n  address: 127.0.0.1:6379\n  syncInterval: 1ms\n", 10, 3, "'syncInterval': at least 10ms");

    [Fact]
    public void A_long_key_prefix_is_refused() =>
        HasError(L + "rateLimits:\n  - {name: per-ip, rate: 1/s}\nredis:\n  address: 127.0.0.1:6379\n  keyPrefix: " + new string('k', 65) + "\n", 11, 14, "'keyPrefix': at most 64 bytes");

    [Fact]
    public void Redis_needs_an_address() => HasError(L + "redis:\n  timeout: 5ms\n", 8, 3, "'redis' needs 'address'");

    [Fact]
    public void A_broken_redis_section_is_reported_once()
    {
        var result = Load(L + "rateLimits:\n  - {name: per-ip, rate: 1/s, global: true}\nredis:\n  address: 127.0.0.1:6379\n  mode: exactly\n");
        var error = Assert.Single(result.Errors);
        Assert.Contains("'mode': expected one of exact, approximate", error.Message, StringComparison.Ordinal);
    }
}
