using EdgeServer.Redis;
using EdgeServer.Tests.Upstream;
using static EdgeServer.Tests.Redis.RedisTestClients;

namespace EdgeServer.Tests.Redis;

/// <summary>A server that breaks the protocol: the connection is dropped (never guessed at), calls complete, the client reconnects.</summary>
public sealed class RedisMisbehavingServerTests
{
    [Fact]
    public async Task Bytes_that_are_not_resp_drop_the_connection()
    {
        await using var fake = await FakeRedis.StartAsync(async (stream, stop) =>
        {
            await FakeRedis.ReadCommandsAsync(stream, 1, stop); // the handshake's PING
            await stream.WriteAsync("+PONG\r\n"u8.ToArray(), stop);
            await FakeRedis.ReadCommandsAsync(stream, 1, stop); // the call under test
            await stream.WriteAsync("HTTP/1.1 400 Bad Request\r\n\r\n"u8.ToArray(), stop);
        });
        await using var client = new RedisClient(Options(fake.Port));
        client.Start();
        Assert.True(await client.WaitUntilConnectedAsync(Eventually.Limit), client.Health.LastError);

        Assert.Equal(RedisResultKind.ConnectionLost, (await Within(client.PingAsync())).Kind);
        Assert.Equal(1, client.Health.ProtocolErrors);
        // The connect loop records the reason once it sees the connection closed.
        await Eventually.TrueAsync(() => client.Health.LastError?.Contains("not RESP", StringComparison.Ordinal) == true, "reason recorded");
        await Eventually.TrueAsync(() => fake.Accepted >= 2, "reconnect");
    }

    [Fact]
    public async Task A_reply_to_no_command_drops_the_connection()
    {
        await using var fake = await FakeRedis.StartAsync(async (stream, stop) =>
        {
            await FakeRedis.ReadCommandsAsync(stream, 1, stop);
            await stream.WriteAsync("+PONG\r\n:1\r\n"u8.ToArray(), stop); // one reply too many
        });
        await using var client = new RedisClient(Options(fake.Port));
        client.Start();
        await Eventually.TrueAsync(() => client.Health.ProtocolErrors >= 1, "protocol error noticed");
        await Eventually.TrueAsync(() => client.Health.LastError?.Contains("no command", StringComparison.Ordinal) == true, "reason recorded");
    }

    [Fact]
    public async Task An_oversized_reply_is_refused_before_it_is_buffered_whole()
    {
        await using var fake = await FakeRedis.StartAsync(async (stream, stop) =>
        {
            await FakeRedis.ReadCommandsAsync(stream, 1, stop);
            await stream.WriteAsync("+PONG\r\n"u8.ToArray(), stop);
            await FakeRedis.ReadCommandsAsync(stream, 1, stop); // the call under test
            await stream.WriteAsync("$100000000\r\n"u8.ToArray(), stop); // 100 MB announced: above the bulk limit
        });
        await using var client = new RedisClient(Options(fake.Port));
        client.Start();
        Assert.True(await client.WaitUntilConnectedAsync(Eventually.Limit), client.Health.LastError);
        Assert.Equal(RedisResultKind.ConnectionLost, (await Within(client.GetAsync("k"u8))).Kind);
        Assert.Equal(1, client.Health.ProtocolErrors);
    }
}
