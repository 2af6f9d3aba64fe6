using EdgeServer.Redis;
using static EdgeServer.Tests.Redis.RedisTestClients;

namespace EdgeServer.Tests.Redis;

/// <summary>Scripts by SHA: NOSCRIPT answered by resending as EVAL, inline integer verdicts, script errors.</summary>
public sealed class RedisScriptTests : IAsyncLifetime
{
    // A limiter-shaped script: add ARGV[1] to KEYS[1], expire it, return {allowed, total, ttl}.
    private static readonly RedisScript Counter = new("""
        local total = redis.call('INCRBY', KEYS[1], ARGV[1])
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        local allowed = 0
        if total <= tonumber(ARGV[3]) then allowed = 1 end
        return {allowed, total, redis.call('PTTL', KEYS[1])}
        """);

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
    public async Task Sha_matches_what_redis_computes()
    {
        var loaded = await Within(_client.ScriptLoadAsync(Counter));
        Assert.Equal(Counter.ToString(), loaded.ToString());
    }

    [Fact]
    public async Task Unknown_script_is_resent_as_eval_once_then_called_by_sha()
    {
        var first = await Within(_client.EvalAsync(Counter, ["quota"], [5, 60_000, 8]));
        Assert.Equal(RedisResultKind.Array, first.Kind);
        Assert.Equal([1, 5], [first.GetInteger(0), first.GetInteger(1)]);
        Assert.InRange(first.GetInteger(2), 1, 60_000);
        Assert.Equal(1, _client.Health.ScriptReloads);

        var second = await Within(_client.EvalAsync(Counter, ["quota"], [5, 60_000, 8]));
        Assert.Equal([0, 10], [second.GetInteger(0), second.GetInteger(1)]);
        Assert.Equal(1, _client.Health.ScriptReloads); // EVAL cached it: EVALSHA found it

        await Within(_client.ExecuteAsync("SCRIPT", "FLUSH"));
        var third = await Within(_client.EvalAsync(Counter, ["quota"], [1, 60_000, 100]));
        Assert.Equal([1, 11], [third.GetInteger(0), third.GetInteger(1)]);
        Assert.Equal(2, _client.Health.ScriptReloads);
    }

    [Fact]
    public async Task Concurrent_script_calls_after_a_flush_all_complete_in_order()
    {
        await Within(_client.ExecuteAsync("SCRIPT", "FLUSH"));
        // Many EVALSHAs in flight before the first NOSCRIPT returns: each is resent, none is lost or
        // matched to another call's reply.
        var calls = Enumerable.Range(0, 200).Select(i => _client.EvalAsync(Counter, ["c" + i], [i, 60_000, 1000]).AsTask()).ToArray();
        var replies = await Task.WhenAll(calls).WaitAsync(Upstream.Eventually.Limit);
        for (var i = 0; i < replies.Length; i++) Assert.Equal(i, replies[i].GetInteger(1));
    }

    [Fact]
    public async Task Script_arguments_written_by_the_caller_from_spans()
    {
        var reply = await Within(_client.EvalAsync(Counter, 1, new SpanArguments("span-key"u8, 7)));
        Assert.Equal([1, 7], [reply.GetInteger(0), reply.GetInteger(1)]);
    }

    [Fact]
    public async Task Mixed_and_long_script_results_are_arrays_of_values()
    {
        var script = new RedisScript("return {1, 'two', {3}, 4, 5, 6}");
        var reply = await Within(_client.EvalAsync(script, [], []));
        Assert.Equal("[1, two, [3], 4, 5, 6]", reply.ToString());
    }

    [Fact]
    public async Task A_failing_script_is_an_error_value()
    {
        var script = new RedisScript("return redis.call('INCRBY', KEYS[1], 'x')");
        var reply = await Within(_client.EvalAsync(script, ["k"], []));
        Assert.Equal(RedisResultKind.Error, reply.Kind);
        Assert.Contains("not an integer", reply.Message, StringComparison.Ordinal);
        Assert.Equal(1, (await Within(_client.IncrByAsync("still-in-step"u8, 1))).Integer);
    }

    /// <summary>What the limiter will do: key bytes and numbers from its own buffers, no strings.</summary>
    private readonly ref struct SpanArguments(ReadOnlySpan<byte> key, long cost) : IRespArguments
    {
        private readonly ReadOnlySpan<byte> _key = key;
        private readonly long _cost = cost;

        public int Count => 4;

        public void WriteTo(ref RespWriter writer)
        {
            writer.WriteBulk(_key);
            writer.WriteBulk(_cost);
            writer.WriteBulk(60_000);
            writer.WriteBulk(100);
        }
    }
}
