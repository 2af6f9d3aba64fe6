using EdgeServer.Redis;
using EdgeServer.Tests.Upstream;

namespace EdgeServer.Tests.Redis;

/// <summary>Clients for the tests: started against a port and (usually) awaited until connected.</summary>
internal static class RedisTestClients
{
    public static RedisClientOptions Options(int port) => new()
    {
        Host = "127.0.0.1",
        Port = port,
        // Generous: the machine is shared, and only the timeout tests want a short one (they set it).
        CommandTimeout = TimeSpan.FromSeconds(10),
        ConnectTimeout = TimeSpan.FromSeconds(5),
        ReconnectMinDelay = TimeSpan.FromMilliseconds(20),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
    };

    public static async Task<RedisClient> ConnectedAsync(RedisServerProcess server, Func<RedisClientOptions, RedisClientOptions>? configure = null)
    {
        var options = Options(server.Port);
        var client = new RedisClient(configure is null ? options : configure(options));
        client.Start();
        Assert.True(await client.WaitUntilConnectedAsync(Eventually.Limit), $"not connected: {client.Health.LastError}");
        return client;
    }

    public static async Task<RedisResult> Within(ValueTask<RedisResult> call) => await Eventually.WithinLimit(call.AsTask());

    public static byte[] Utf8(string text) => System.Text.Encoding.UTF8.GetBytes(text);
}
