using System.Diagnostics;
using EdgeServer.Redis;
using static EdgeServer.Tests.Redis.RedisTestClients;

namespace EdgeServer.Tests.Redis;

/// <summary>
/// A slow Redis (DEBUG SLEEP holds its one thread): calls complete with Timeout within their own
/// timeout, the late replies are discarded without shifting later replies to the wrong callers, a
/// stalled connection is replaced, a full queue refuses calls at once, and the timeout sweep runs only while calls
/// are queued.
/// </summary>
public sealed class RedisTimeoutTests : IAsyncLifetime
{
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(100);

    private RedisServerProcess _server = null!;

    public async Task InitializeAsync() => _server = await RedisServerProcess.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Calls_to_a_sleeping_redis_time_out_and_their_late_replies_are_discarded()
    {
        await using var client = await ConnectedAsync(_server);
        var sleeping = client.ExecuteAsync(TimeSpan.FromSeconds(30), "DEBUG", "SLEEP", 2);

        var clock = Stopwatch.StartNew();
        var calls = Enumerable.Range(0, 100).Select(_ => client.IncrByAsync("late"u8, 1, Short).AsTask()).ToArray();
        var results = await Task.WhenAll(calls).WaitAsync(Upstream.Eventually.Limit);
        var waited = clock.Elapsed;

        Assert.All(results, r => Assert.Equal(RedisResultKind.Timeout, r.Kind));
        // Redis sleeps 2 s: every call ended long before, at its own 100 ms timeout (plus scheduling).
        Assert.True(waited < TimeSpan.FromSeconds(1.5), $"timed-out calls took {waited}");
        Assert.Equal(100, client.Health.Timeouts);

        Assert.Equal("OK", (await Within(sleeping)).ToString());
        // The timed-out increments did run (a timeout says nothing about that); their replies were
        // stepped over, so this call gets its own reply, not one of theirs.
        Assert.Equal(101, (await Within(client.IncrByAsync("late"u8, 1))).Integer);
        Assert.Equal("101", (await Within(client.GetAsync("late"u8))).ToString());
        Assert.Equal(1, client.Health.Connects);
        await Upstream.Eventually.TrueAsync(() => client.Health.Pending == 0, "late replies drained");
    }

    [Fact]
    public async Task Interleaved_timed_out_and_patient_callers_each_get_their_own_reply()
    {
        await using var client = await ConnectedAsync(_server);
        var sleeping = client.ExecuteAsync(TimeSpan.FromSeconds(30), "DEBUG", "SLEEP", 1);
        var impatient = new List<Task<RedisResult>>();
        var patient = new List<(int Value, Task<RedisResult> Call)>();
        for (var i = 0; i < 50; i++)
        {
            impatient.Add(client.ExecuteAsync(Short, "INCRBY", "x", 1).AsTask());
            patient.Add((i, client.ExecuteAsync(TimeSpan.FromSeconds(30), "ECHO", i).AsTask()));
        }
        Assert.All(await Task.WhenAll(impatient).WaitAsync(Upstream.Eventually.Limit), r => Assert.Equal(RedisResultKind.Timeout, r.Kind));
        await Within(sleeping);
        foreach (var (value, call) in patient) Assert.Equal(value.ToString(System.Globalization.CultureInfo.InvariantCulture), (await call).ToString());
    }

    [Fact]
    public async Task A_connection_that_stops_answering_is_dropped_and_replaced()
    {
        await using var client = await ConnectedAsync(_server, o => o with { StallTimeout = TimeSpan.FromMilliseconds(300) });
        var sleeping = await Within(client.ExecuteAsync(TimeSpan.FromSeconds(30), "DEBUG", "SLEEP", 2));

        Assert.Equal(RedisResultKind.ConnectionLost, sleeping.Kind);
        Assert.Equal(1, client.Health.Stalls);
        // Redis answers again once its sleep ends; the client reconnects on its own.
        await Upstream.Eventually.TrueAsync(() => client.Health.Connects >= 2 && client.IsConnected, "reconnect after the stall");
        Assert.Equal(1, (await Within(client.IncrByAsync("after-stall"u8, 1))).Integer);
    }

    [Fact]
    public async Task A_full_queue_refuses_calls_at_once()
    {
        await using var client = await ConnectedAsync(_server, o => o with { MaxPendingCalls = 4 });
        var sleeping = client.ExecuteAsync(TimeSpan.FromSeconds(30), "DEBUG", "SLEEP", 1);
        var queued = Enumerable.Range(0, 3).Select(_ => client.IncrByAsync("q"u8, 1).AsTask()).ToArray();

        var refused = client.IncrByAsync("q"u8, 1);
        Assert.True(refused.IsCompleted);
        Assert.Equal(RedisResultKind.Overloaded, (await refused).Kind);
        Assert.Equal(1, client.Health.Overloaded);

        await Within(sleeping);
        Assert.Equal([1, 2, 3], (await Task.WhenAll(queued)).Select(r => r.Integer));
    }

    [Fact]
    public async Task The_timeout_sweep_stops_while_nothing_is_queued_and_restarts_with_the_next_call()
    {
        var time = new CountingTimeProvider();
        await using var client = new RedisClient(Options(_server.Port) with { TimeoutResolution = TimeSpan.FromMilliseconds(1) }, time);
        client.Start();
        Assert.True(await client.WaitUntilConnectedAsync(Upstream.Eventually.Limit));
        for (var i = 0; i < 10; i++) Assert.Equal(i + 1, (await Within(client.IncrByAsync("sweep"u8, 1))).Integer);

        await Task.Delay(100);
        var before = time.Fired;
        await Task.Delay(300);
        // A 1 ms sweep left running would have fired ~300 times.
        Assert.InRange(time.Fired - before, 0, 1);

        // Re-armed by the next calls: a call behind a sleeping Redis still times out. Without the sweep it would
        // get its integer once Redis wakes; the sleep is long so that a busy test host's late timer cannot pass
        // for that (a wall-clock bound here failed under a loaded thread pool at 1.05 s).
        var sleeping = client.ExecuteAsync(TimeSpan.FromSeconds(30), "DEBUG", "SLEEP", 2);
        var late = await client.IncrByAsync("sweep"u8, 1, Short).AsTask().WaitAsync(Upstream.Eventually.Limit);
        Assert.Equal(RedisResultKind.Timeout, late.Kind);
        Assert.True(time.Fired > before);
        Assert.Equal("OK", (await Within(sleeping)).ToString());
    }

    /// <summary>The system clock, counting how often its timers fire.</summary>
    private sealed class CountingTimeProvider : TimeProvider
    {
        private long _fired;

        public long Fired => Interlocked.Read(ref _fired);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            System.CreateTimer(s =>
            {
                Interlocked.Increment(ref _fired);
                callback(s);
            }, state, dueTime, period);
    }
}
