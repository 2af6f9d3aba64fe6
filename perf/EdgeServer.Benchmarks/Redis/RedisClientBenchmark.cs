using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using EdgeServer.Redis;
using EdgeServer.Tests.Redis;

namespace EdgeServer.Benchmarks.Redis;

/// <summary>
/// The Redis client's hot commands against a real redis-server that the benchmark starts on a free
/// loopback port: INCRBY and EVALSHA (returning an integer array, as a limiter script does), one at a
/// time (round-trip latency) and 64 in flight on the one connection (pipelined throughput).
/// MemoryDiagnoser counts allocations process-wide, so "Allocated" covers the client's reply loop,
/// sockets and timer too. Expected: 0 B. The benchmark methods use the pooling async builder, as a
/// long-lived connection loop would amortise its state machine; the client itself needs no help.
/// </summary>
[MemoryDiagnoser]
public class RedisClientBenchmark
{
    private const int InFlight = 64;

    private static readonly RedisScript Limiter = new("""
        local total = redis.call('INCRBY', KEYS[1], ARGV[1])
        if total == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
        return {1, total, 0}
        """);

    private readonly ValueTask<RedisResult>[] _calls = new ValueTask<RedisResult>[InFlight];
    private RedisServerProcess _server = null!;
    private RedisClient _client = null!;

    [GlobalSetup]
    public void Setup()
    {
        // As Program.cs does for the daemon: socket completions run on the epoll threads.
        Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
        _server = RedisServerProcess.StartAsync().GetAwaiter().GetResult();
        try
        {
            Connect();
        }
        catch
        {
            // BenchmarkDotNet skips the cleanup of a failed setup: the server must not outlive it.
            _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
    }

    private void Connect()
    {
        _client = new RedisClient(new RedisClientOptions
        {
            Host = "127.0.0.1",
            Port = _server.Port,
            CommandTimeout = TimeSpan.FromSeconds(5), // a timeout in a benchmark would be a failure, not a figure
        });
        _client.Start();
        if (!_client.WaitUntilConnectedAsync(TimeSpan.FromSeconds(10)).GetAwaiter().GetResult())
            throw new InvalidOperationException($"no connection to redis-server: {_client.Health.LastError}");
        // Loads the script (NOSCRIPT -> EVAL) so the measured calls are all EVALSHA.
        var warm = EvalSha().AsTask().GetAwaiter().GetResult();
        if (warm != 1) throw new InvalidOperationException("script did not run");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        var health = _client.Health;
        Console.WriteLine($"// redis client health: calls={health.Calls} timeouts={health.Timeouts} errors={health.ErrorReplies} connects={health.Connects} reloads={health.ScriptReloads}");
        _client.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true)]
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<long> IncrBy()
    {
        var reply = await _client.IncrByAsync("bench:incr"u8, 1);
        return reply.Integer;
    }

    [Benchmark]
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<long> EvalSha()
    {
        var reply = await _client.EvalAsync(Limiter, 1, new LimiterArguments("bench:script"u8, 1));
        return reply.GetInteger(0);
    }

    [Benchmark(OperationsPerInvoke = InFlight)]
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<long> IncrBy_64InFlight()
    {
        for (var i = 0; i < InFlight; i++) _calls[i] = _client.IncrByAsync("bench:incr"u8, 1);
        long sum = 0;
        for (var i = 0; i < InFlight; i++) sum += (await _calls[i]).Integer;
        return sum;
    }

    /// <summary>As the approximate mode's sync round will batch: 64 commands framed, one flush (one send).</summary>
    [Benchmark(OperationsPerInvoke = InFlight)]
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<long> IncrBy_64Buffered_OneFlush()
    {
        for (var i = 0; i < InFlight; i++) _calls[i] = _client.IncrByAsync("bench:incr"u8, 1, flush: false);
        _client.Flush();
        long sum = 0;
        for (var i = 0; i < InFlight; i++) sum += (await _calls[i]).Integer;
        return sum;
    }

    [Benchmark(OperationsPerInvoke = InFlight)]
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<long> EvalSha_64InFlight()
    {
        for (var i = 0; i < InFlight; i++) _calls[i] = _client.EvalAsync(Limiter, 1, new LimiterArguments("bench:script"u8, 1));
        long sum = 0;
        for (var i = 0; i < InFlight; i++) sum += (await _calls[i]).GetInteger(0);
        return sum;
    }

    /// <summary>A limiter's arguments: key bytes and a cost, written straight into the pipe.</summary>
    private readonly ref struct LimiterArguments(ReadOnlySpan<byte> key, long cost) : IRespArguments
    {
        private readonly ReadOnlySpan<byte> _key = key;
        private readonly long _cost = cost;

        public int Count => 3;

        public void WriteTo(ref RespWriter writer)
        {
            writer.WriteBulk(_key);
            writer.WriteBulk(_cost);
            writer.WriteBulk(60_000);
        }
    }
}
