using EdgeServer.Redis;
using static EdgeServer.Tests.Redis.RedisTestClients;

namespace EdgeServer.Tests.Redis;

/// <summary>The commands the global limits use, against a real redis-server, and error replies as values.</summary>
public sealed class RedisCommandTests : IAsyncLifetime
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
    public async Task Ping_answers_pong()
    {
        var reply = await Within(_client.PingAsync());
        Assert.Equal(RedisResultKind.SimpleString, reply.Kind);
        Assert.Equal("PONG", reply.ToString());
    }

    [Fact]
    public async Task Set_with_px_then_get_returns_the_value_with_its_expiry()
    {
        Assert.Equal("OK", (await Within(_client.SetAsync("k"u8, "v\r\n1"u8, TimeSpan.FromSeconds(30)))).ToString());
        var value = await Within(_client.GetAsync("k"u8));
        Assert.Equal(RedisResultKind.BulkString, value.Kind);
        Assert.Equal("v\r\n1", value.ToString());
        var ttl = await Within(_client.ExecuteAsync("PTTL", "k"));
        Assert.InRange(ttl.Integer, 1, 30_000);
    }

    [Fact]
    public async Task Missing_key_reads_as_null()
    {
        Assert.Equal(RedisResultKind.Null, (await Within(_client.GetAsync("absent"u8))).Kind);
    }

    [Fact]
    public async Task Incrby_and_decrby_return_the_new_value_and_pexpire_sets_a_ttl()
    {
        Assert.Equal(5, (await Within(_client.IncrByAsync("n"u8, 5))).Integer);
        Assert.Equal(-995, (await Within(_client.IncrByAsync("n"u8, -1000))).Integer);
        Assert.Equal(-1000, (await Within(_client.DecrByAsync("n"u8, 5))).Integer);
        Assert.Equal(1, (await Within(_client.PExpireAsync("n"u8, 60_000))).Integer);
        Assert.Equal(0, (await Within(_client.PExpireAsync("none"u8, 60_000))).Integer);
        Assert.InRange((await Within(_client.ExecuteAsync("PTTL", "n"))).Integer, 1, 60_000);
    }

    [Fact]
    public async Task General_commands_take_text_integer_and_byte_arguments()
    {
        var value = new byte[100_000]; // larger than one 32 KiB pipe block, both ways
        Random.Shared.NextBytes(value);
        Assert.Equal("OK", (await Within(_client.ExecuteAsync("SET", Utf8("big"), value))).ToString());
        Assert.Equal(value, (await Within(_client.GetAsync("big"u8))).Bytes.ToArray());

        await Within(_client.ExecuteAsync("RPUSH", "list", "a", 2, "ü"));
        var list = await Within(_client.ExecuteAsync("LRANGE", "list", 0, -1));
        Assert.Equal(RedisResultKind.Array, list.Kind);
        Assert.Equal(["a", "2", "ü"], Enumerable.Range(0, list.Count).Select(i => list[i].ToString()));
    }

    [Fact]
    public async Task An_error_reply_is_a_value_and_the_connection_stays_in_step()
    {
        await Within(_client.SetAsync("text"u8, "not a number"u8));
        var error = await Within(_client.IncrByAsync("text"u8, 1));
        Assert.Equal(RedisResultKind.Error, error.Kind);
        Assert.StartsWith("ERR value is not an integer", error.Message, StringComparison.Ordinal);

        var unknown = await Within(_client.ExecuteAsync("NO-SUCH-COMMAND", 1));
        Assert.Equal(RedisResultKind.Error, unknown.Kind);
        Assert.StartsWith("ERR unknown command", unknown.Message, StringComparison.Ordinal);

        Assert.Equal(1, (await Within(_client.IncrByAsync("after"u8, 1))).Integer);
        Assert.Equal(2, _client.Health.ErrorReplies);
        Assert.Equal(1, _client.Health.Connects);
    }

    [Fact]
    public async Task A_command_that_writes_a_different_argument_count_is_never_sent()
    {
        Assert.Throws<InvalidOperationException>(() => { _ = _client.ExecuteAsync(new LyingCommand()); });
        // The half-written stream was dropped with its connection; the client reconnects by itself.
        await Upstream.Eventually.TrueAsync(() => _client.Health.Connects == 2 && _client.IsConnected, "reconnect after the dropped stream");
        Assert.Equal(RedisResultKind.Null, (await Within(_client.GetAsync("lie"u8))).Kind);
    }

    [Fact]
    public async Task Redis_speaking_resp3_is_understood_and_its_pushes_are_not_taken_for_replies()
    {
        var hello = await Within(_client.ExecuteAsync("HELLO", 3));
        Assert.Equal(RedisResultKind.Array, hello.Kind); // a map, flattened
        Assert.Equal("server", hello[0].ToString());

        Assert.Equal("3.141", (await Within(_client.ExecuteAsync("DEBUG", "PROTOCOL", "double"))).ToString());
        Assert.Equal(1, (await Within(_client.ExecuteAsync("DEBUG", "PROTOCOL", "true"))).Integer);
        Assert.Equal(RedisResultKind.Null, (await Within(_client.ExecuteAsync("DEBUG", "PROTOCOL", "null"))).Kind);
        Assert.Equal("This is a verbatim\nstring", (await Within(_client.ExecuteAsync("DEBUG", "PROTOCOL", "verbatim"))).ToString());
        Assert.Equal("Some real reply following the attribute", (await Within(_client.ExecuteAsync("DEBUG", "PROTOCOL", "attrib"))).ToString());
        Assert.Equal("Some real reply following the push reply", (await Within(_client.ExecuteAsync("DEBUG", "PROTOCOL", "push"))).ToString());
        Assert.Equal(7, (await Within(_client.IncrByAsync("after-resp3"u8, 7))).Integer);
        Assert.Equal(0, _client.Health.ProtocolErrors);
    }

    /// <summary>Declares two arguments, writes one: a caller's bug the client must not put on the wire.</summary>
    private readonly ref struct LyingCommand : IRespArguments
    {
        public int Count => 2;

        public void WriteTo(ref RespWriter writer) => writer.WriteBulk("PING"u8);
    }
}
