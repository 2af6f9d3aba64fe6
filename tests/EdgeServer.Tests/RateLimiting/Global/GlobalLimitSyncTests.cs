using EdgeServer.Config.Model;
using EdgeServer.Redis;
using EdgeServer.RateLimiting.Global;
using EdgeServer.Tests.Redis;
using EdgeServer.Tests.Upstream;

namespace EdgeServer.Tests.RateLimiting.Global;

/// <summary>Two nodes sharing global limits through a real redis-server, with sync rounds run by the test.</summary>
public sealed class GlobalLimitSyncTests
{
    [Fact]
    public async Task A_node_learns_what_another_spent_at_its_next_round()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        await using var a = await GlobalLimitNode.StartAsync(redis);
        await using var b = await GlobalLimitNode.StartAsync(redis);

        for (var i = 0; i < 8; i++) Assert.True(a.Request("alice"));
        await a.SyncAsync();
        // b has not synced this key yet: it decides on its own table (the approximate mode's stated error).
        Assert.True(b.Request("alice"));
        await b.SyncAsync();
        // b pushed its 1, the fleet's bucket holds 10 - 9 = 1, and b's table now says so.
        Assert.Equal(1, b.Remaining("alice"));
        Assert.True(b.Request("alice"));
        Assert.False(b.Request("alice"));
        // a learns b's 2 at its next round, though it spent nothing since (it follows keys whose bucket is not full).
        Assert.Equal(2, a.Remaining("alice"));
        await b.SyncAsync();
        await a.SyncAsync();
        Assert.Equal(0, a.Remaining("alice"));
        Assert.False(a.Request("alice"));
        // Other keys are untouched.
        Assert.Equal(10, a.Remaining("bob"));
        Assert.Equal(0, a.Limit.SyncFailures + b.Limit.SyncFailures);
        Assert.True(a.Limit.SyncedKeys >= 2);
    }

    [Fact]
    public async Task The_fleet_state_lives_in_redis_under_the_key_prefix_and_expires_when_full_again()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        await using var a = await GlobalLimitNode.StartAsync(redis, burst: 4);
        Assert.True(a.Request("carol"));
        await a.SyncAsync();
        await using var client = await RedisTestClients.ConnectedAsync(redis);
        var key = $"test:rl:per-client:{a.Key("carol").Identity:x16}";
        var ttl = await RedisTestClients.Within(client.ExecuteAsync("PTTL", key));
        // One permit of a 4-per-hour limit: the bucket is full again in 15 minutes, and Redis forgets it then.
        Assert.InRange(ttl.Integer, 14 * 60_000, 15 * 60_000 + 1);
    }

    [Fact]
    public async Task Nodes_with_different_passwords_do_not_share_keys()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        await using var a = await GlobalLimitNode.StartAsync(redis);
        await using var b = await GlobalLimitNode.StartAsync(redis, password: "");
        Assert.Equal(a.Key("dave"), b.Key("dave"));
        var differentSecret = EdgeServer.Policy.RateLimiting.RateLimitKeyHasher.FromSecret("test:\nother"u8);
        Assert.NotEqual(a.Key("dave"), differentSecret.Of("dave"u8));
    }

    [Fact]
    public async Task Spending_while_redis_is_down_is_kept_and_pushed_when_it_is_back()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        await using var a = await GlobalLimitNode.StartAsync(redis);
        await using var b = await GlobalLimitNode.StartAsync(redis);
        await redis.KillAsync();
        await Eventually.TrueAsync(() => !a.Connection.Client.IsConnected, "a notices Redis is gone");
        for (var i = 0; i < 6; i++) Assert.True(a.Request("erin"));
        await a.SyncAsync();
        Assert.False(a.Connection.Sync.Healthy);
        Assert.Equal(1, a.Connection.Sync.FailedRounds);

        await redis.RestartAsync();
        await Eventually.TrueAsync(() => a.Connection.Client.IsConnected && b.Connection.Client.IsConnected, "both reconnect");
        await a.SyncAsync();
        Assert.True(a.Connection.Sync.Healthy);
        Assert.True(b.Request("erin"));
        await b.SyncAsync();
        Assert.Equal(3, b.Remaining("erin"));
    }

    [Fact]
    public async Task A_reload_that_fails_keeps_the_running_connection_and_one_that_commits_replaces_it()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        await using var node = await GlobalLimitNode.StartAsync(redis);
        var running = node.Connection;
        var changed = running.Config with { Timeout = TimeSpan.FromSeconds(4) };

        var abandoned = node.Engine.Prepare(changed)!;
        Assert.NotSame(running, abandoned);
        Assert.Same(running, node.Engine.Prepare(running.Config));      // an unchanged section keeps the connection
        node.Engine.Abandon(abandoned);
        Assert.Same(running, node.Engine.Current);
        Assert.True(node.Request("gina"));
        await node.SyncAsync();
        Assert.True(running.Sync.Healthy);
        Assert.Equal(1, node.Limit.SyncedKeys);

        var next = node.Engine.Prepare(changed)!;
        node.Engine.Commit(next);
        Assert.Same(next, node.Engine.Current);
        await Eventually.TrueAsync(() => next.Client.IsConnected, "the new client connects");
        Assert.True(await Eventually.WithinLimit(next.Client.PingAsync().AsTask()) is { IsSuccess: true });
    }

    [Fact]
    public async Task Exact_mode_admits_exactly_the_burst_across_nodes()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        await using var a = await GlobalLimitNode.StartAsync(redis, burst: 10, mode: GlobalLimitMode.Exact);
        await using var b = await GlobalLimitNode.StartAsync(redis, burst: 10, mode: GlobalLimitMode.Exact);
        var key = new byte[64];
        var calls = new List<Task<RedisResult>>();
        // 40 concurrent decisions for one key from two nodes, pipelined: Redis runs each script atomically.
        for (var i = 0; i < 20; i++)
        {
            foreach (var node in (GlobalLimitNode[])[a, b])
            {
                var name = node.Limit.RedisKey(node.Key("frank").Identity, key);
                calls.Add(node.Connection.Client.EvalAsync(GlobalLimitScripts.Acquire, 1,
                    new GlobalKeyCall(name, 1, node.Limit.IntervalMicros, node.Limit.CapacityMicros)).AsTask());
            }
        }
        var results = await Eventually.WithinLimit(Task.WhenAll(calls));
        Assert.All(results, r => Assert.Equal(RedisResultKind.Array, r.Kind));
        Assert.Equal(10, results.Count(r => r.GetInteger(0) == 1));
        var denied = results.First(r => r.GetInteger(0) == 0);
        // Denied: the bucket is empty (debt = capacity) and the next permit comes one interval (6 minutes) later.
        Assert.Equal(a.Limit.CapacityMicros, denied.GetInteger(1), tolerance: 1_000_000);
        Assert.InRange(denied.GetInteger(2), a.Limit.IntervalMicros - 1_000_000, a.Limit.IntervalMicros);
    }
}
