using EdgeServer.Redis;
using EdgeServer.Tests.Upstream;
using static EdgeServer.Tests.Redis.RedisTestClients;

namespace EdgeServer.Tests.Redis;

/// <summary>Redis killed and restarted: calls fail fast while it is gone, and the client comes back by itself.</summary>
public sealed class RedisReconnectTests
{
    [Fact]
    public async Task Killed_redis_fails_calls_fast_and_a_restart_is_reconnected()
    {
        await using var server = await RedisServerProcess.StartAsync();
        await using var client = await ConnectedAsync(server);
        Assert.Equal(1, (await Within(client.IncrByAsync("n"u8, 1))).Integer);

        // In flight when Redis dies: completed with ConnectionLost, not left to time out.
        var inFlight = client.ExecuteAsync(TimeSpan.FromMinutes(5), "DEBUG", "SLEEP", 10);
        await Task.Delay(100);
        await server.KillAsync();
        Assert.Equal(RedisResultKind.ConnectionLost, (await Within(inFlight)).Kind);

        await Eventually.TrueAsync(() => !client.IsConnected, "disconnect noticed");
        var refused = client.IncrByAsync("n"u8, 1, TimeSpan.FromMinutes(5));
        Assert.True(refused.IsCompleted); // refused at once, not queued until Redis returns
        Assert.Equal(RedisResultKind.NotConnected, (await refused).Kind);
        await Eventually.TrueAsync(() => client.Health.ConnectFailures >= 2, "reconnect attempts while Redis is down");

        await server.RestartAsync();
        Assert.True(await client.WaitUntilConnectedAsync(Eventually.Limit), client.Health.LastError);
        Assert.Equal(1, (await Within(client.IncrByAsync("n"u8, 1))).Integer); // a fresh server, no persistence

        var health = client.Health;
        Assert.True(health.Connected);
        Assert.Equal(2, health.Connects);
        Assert.Equal(1, health.Disconnects);
        Assert.True(health.NotConnected >= 1);
        Assert.Equal(1, health.ConnectionLost);
    }

    [Fact]
    public async Task A_client_started_before_redis_connects_once_it_is_up()
    {
        await using var server = await RedisServerProcess.StartAsync();
        await server.KillAsync();
        await using var client = new RedisClient(Options(server.Port));
        client.Start();
        await Eventually.TrueAsync(() => client.Health.ConnectFailures >= 3, "failed attempts");
        Assert.Contains("refused", client.Health.LastError, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(RedisResultKind.NotConnected, (await client.PingAsync()).Kind);

        await server.RestartAsync();
        Assert.True(await client.WaitUntilConnectedAsync(Eventually.Limit), client.Health.LastError);
        Assert.Equal("PONG", (await Within(client.PingAsync())).ToString());
    }

    [Fact]
    public async Task Reconnect_attempts_back_off()
    {
        await using var server = await RedisServerProcess.StartAsync();
        await server.KillAsync();
        await using var client = new RedisClient(Options(server.Port) with
        {
            ReconnectMinDelay = TimeSpan.FromMilliseconds(50),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(400),
        });
        client.Start();
        await Task.Delay(TimeSpan.FromSeconds(2));
        // Doubling from 25-50 ms to a 200-400 ms cap: at most ~12 attempts in 2 s, however fast refusals are.
        Assert.InRange(client.Health.ConnectFailures, 3, 14);
    }
}
