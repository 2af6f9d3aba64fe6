using EdgeServer.Redis;
using static EdgeServer.Tests.Redis.RedisTestClients;

namespace EdgeServer.Tests.Redis;

/// <summary>Many callers on one connection: replies reach the right caller, and batches go out in one write.</summary>
public sealed class RedisPipeliningTests : IAsyncLifetime
{
    private RedisServerProcess _server = null!;
    private RedisClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await RedisServerProcess.StartAsync();
        _client = await ConnectedAsync(_server);
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Ten_thousand_increments_from_parallel_tasks_add_up_exactly()
    {
        const int Tasks = 50, PerTask = 200;
        var seen = new bool[Tasks * PerTask + 1];
        await Task.WhenAll(Enumerable.Range(0, Tasks).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < PerTask; i++)
            {
                var reply = await _client.IncrByAsync("total"u8, 1);
                Assert.Equal(RedisResultKind.Integer, reply.Kind);
                // Each caller gets its own reply: every intermediate total is seen exactly once.
                lock (seen)
                {
                    Assert.False(seen[reply.Integer], $"total {reply.Integer} seen twice");
                    seen[reply.Integer] = true;
                }
            }
        }))).WaitAsync(Upstream.Eventually.Limit);

        Assert.Equal(Tasks * PerTask, (await Within(_client.GetAsync("total"u8))).ToString() is var text ? long.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : -1);
        Assert.Equal(1, _client.Health.Connects);
        Assert.Equal(0, _client.Health.Timeouts);
    }

    [Fact]
    public async Task Different_keys_from_concurrent_callers_get_their_own_replies()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 2000).Select(i => Task.Run(async () =>
        {
            var key = Utf8("key-" + i);
            var reply = await _client.IncrByAsync(key, i);
            return (i, reply);
        }))).WaitAsync(Upstream.Eventually.Limit);
        foreach (var (i, reply) in results) Assert.Equal(i, reply.Integer);
    }

    [Fact]
    public async Task A_buffered_batch_of_incrby_and_pexpire_goes_out_on_flush()
    {
        // No sweep during the test, so only Flush can send the batch.
        await using var client = await ConnectedAsync(_server, o => o with { TimeoutResolution = TimeSpan.FromHours(1) });
        var increments = new ValueTask<RedisResult>[10];
        var expiries = new ValueTask<RedisResult>[10];
        for (var i = 0; i < 10; i++)
        {
            var key = Utf8("batch-" + i);
            increments[i] = client.IncrByAsync(key, i + 1, flush: false);
            expiries[i] = client.PExpireAsync(key, 60_000, flush: false);
        }
        await Task.Delay(200);
        Assert.DoesNotContain(increments, c => c.IsCompleted); // nothing sent yet
        client.Flush();
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(i + 1, (await Within(increments[i])).Integer);
            Assert.Equal(1, (await Within(expiries[i])).Integer);
        }
    }

    [Fact]
    public async Task A_forgotten_flush_costs_latency_not_a_hang()
    {
        var reply = await Within(_client.IncrByAsync("unflushed"u8, 3, flush: false));
        Assert.Equal(3, reply.Integer); // sent by the timeout sweep
    }
}
