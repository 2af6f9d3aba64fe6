using EdgeServer.Redis;
using EdgeServer.Tests.Upstream;
using static EdgeServer.Tests.Redis.RedisTestClients;

namespace EdgeServer.Tests.Redis;

/// <summary>AUTH (password and ACL user), SELECT and CLIENT SETNAME at connect; a refused handshake never takes calls.</summary>
public sealed class RedisHandshakeTests
{
    [Fact]
    public async Task Password_authenticates_and_a_wrong_one_never_connects()
    {
        await using var server = await RedisServerProcess.StartAsync("--requirepass", "s3cret");
        await using (var client = await ConnectedAsync(server, o => o with { Password = "s3cret" }))
            Assert.Equal(1, (await Within(client.IncrByAsync("n"u8, 1))).Integer);

        await using var wrong = new RedisClient(Options(server.Port) with { Password = "nope" });
        wrong.Start();
        await Eventually.TrueAsync(() => wrong.Health.ConnectFailures >= 2, "refused handshakes");
        Assert.False(wrong.IsConnected);
        Assert.Contains("WRONGPASS", wrong.Health.LastError, StringComparison.Ordinal);
        Assert.Equal(RedisResultKind.NotConnected, (await wrong.PingAsync()).Kind);

        await using var none = new RedisClient(Options(server.Port));
        none.Start();
        await Eventually.TrueAsync(() => none.Health.ConnectFailures >= 1, "refused handshake");
        Assert.Contains("NOAUTH", none.Health.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Acl_user_authenticates_with_user_and_password()
    {
        await using var server = await RedisServerProcess.StartAsync("--user", "edge", "on", ">pw", "~*", "&*", "+@all");
        await using var client = await ConnectedAsync(server, o => o with { User = "edge", Password = "pw" });
        Assert.Equal("edge", (await Within(client.ExecuteAsync("ACL", "WHOAMI"))).ToString());
    }

    [Fact]
    public async Task Database_is_selected_and_the_client_named()
    {
        await using var server = await RedisServerProcess.StartAsync();
        await using var db3 = await ConnectedAsync(server, o => o with { Database = 3, ClientName = "edge-node-1" });
        await using var db0 = await ConnectedAsync(server);
        await Within(db3.SetAsync("where"u8, "three"u8));

        Assert.Equal(RedisResultKind.Null, (await Within(db0.GetAsync("where"u8))).Kind);
        Assert.Equal("three", (await Within(db0.ExecuteAsync("SELECT", 3))).ToString() == "OK"
            ? (await Within(db0.GetAsync("where"u8))).ToString() : "select failed");
        Assert.Equal("edge-node-1", (await Within(db3.ExecuteAsync("CLIENT", "GETNAME"))).ToString());
    }

    [Fact]
    public async Task A_server_that_accepts_but_never_answers_fails_the_connect_timeout()
    {
        await using var silent = await FakeRedis.StartAsync(static (_, _) => Task.CompletedTask);
        await using var client = new RedisClient(Options(silent.Port) with { ConnectTimeout = TimeSpan.FromMilliseconds(300) });
        client.Start();
        await Eventually.TrueAsync(() => client.Health.ConnectFailures >= 1, "handshake timed out");
        Assert.False(client.IsConnected);
        Assert.Contains("PING", client.Health.LastError, StringComparison.Ordinal);
        Assert.Contains("timed out", client.Health.LastError, StringComparison.Ordinal);
    }
}
