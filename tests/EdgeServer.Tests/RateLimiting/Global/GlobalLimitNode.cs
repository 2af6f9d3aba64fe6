using EdgeServer.Config.Model;
using EdgeServer.Policy.RateLimiting;
using EdgeServer.RateLimiting.Global;
using EdgeServer.Tests.Redis;
using EdgeServer.Tests.Upstream;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeServer.Tests.RateLimiting.Global;

/// <summary>
/// One edge node's global-limit state against a real redis-server: its engine, one global limit and its table. The
/// sync loop's timer is set far out; tests run rounds themselves.
/// </summary>
internal sealed class GlobalLimitNode : IAsyncDisposable
{
    private GlobalLimitNode(GlobalLimitEngine engine, GlobalRateLimit limit)
    {
        Engine = engine;
        Limit = limit;
    }

    public GlobalLimitEngine Engine { get; }
    public GlobalRateLimit Limit { get; }
    public GlobalLimitEngine.Connection Connection => Engine.Current!;

    /// <summary>A limit of <paramref name="burst"/> per hour: nothing refills while a test runs.</summary>
    public static async Task<GlobalLimitNode> StartAsync(RedisServerProcess redis, long burst = 10, string password = "", GlobalLimitMode mode = GlobalLimitMode.Approximate,
        RedisFailPolicy failPolicy = RedisFailPolicy.Open)
    {
        var engine = new GlobalLimitEngine(TimeProvider.System, NullLogger.Instance);
        var connection = engine.Prepare(new RedisConfig
        {
            Address = new DnsOrIpEndPoint("127.0.0.1", redis.Port),
            Password = password.Length == 0 ? null : password,
            Mode = mode,
            FailPolicy = failPolicy,
            Timeout = TimeSpan.FromSeconds(5),
            SyncInterval = TimeSpan.FromHours(1),
            KeyPrefix = "test:",
        })!;
        engine.Commit(connection);
        var limiter = new KeyedRateLimiter(new RateLimitDefinition("per-client", burst, TimeSpan.FromHours(1), burst, 1000), TimeProvider.System);
        var limit = engine.Bind("per-client", limiter, connection);
        engine.PublishRateLimits([limit]);
        Assert.True(await engine.Current!.Client.WaitUntilConnectedAsync(Eventually.Limit), "node did not connect to Redis");
        return new GlobalLimitNode(engine, limit);
    }

    public RateLimitKey Key(string text) => Limit.Hasher.Of(System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>What the data path does for an approximate-mode request: decide locally, log the spending.</summary>
    public bool Request(string key)
    {
        var id = Key(key);
        var decision = Limit.Limiter.TryAcquire(id, 1, TimeProvider.System.GetTimestamp());
        if (decision.Allowed) Limit.Log.TryAdd(new Spent(id.Identity, 1));
        return decision.Allowed;
    }

    public long Remaining(string key) => Limit.Limiter.TryAcquire(Key(key), 0, TimeProvider.System.GetTimestamp()).Remaining;

    public Task SyncAsync() => Connection.Sync.RunRoundAsync();

    public ValueTask DisposeAsync() => Engine.DisposeAsync();
}
