namespace EdgeServer.Redis;

/// <summary>
/// A small RESP client for the edge's global limits: one multiplexed connection to one Redis endpoint,
/// shared by all callers, reconnected in the background. Every call returns a
/// <see cref="ValueTask{RedisResult}"/> that completes with the reply, or with a failure value
/// (<see cref="RedisResultKind.Timeout"/>, <see cref="RedisResultKind.NotConnected"/>, ...) within the
/// call's timeout; nothing on the call path throws for Redis or network trouble. While disconnected,
/// calls are refused at once rather than queued. Warm calls allocate nothing: commands are framed
/// straight into the connection's pipe and completions are pooled.
/// </summary>
internal sealed partial class RedisClient : IAsyncDisposable
{
    private readonly RedisClientOptions _options;
    private readonly TimeProvider _time;
    private readonly RedisStats _stats = new();
    private readonly PendingCallPool _pool = new();
    private readonly long _defaultTimeoutTicks;
    private readonly CancellationTokenSource _stopping = new();
    private RedisConnection? _ready;   // accepting calls
    private RedisConnection? _current; // ready or still in its handshake
    private Task _connecting = Task.CompletedTask;
    private TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public RedisClient(RedisClientOptions options, TimeProvider? time = null)
    {
        options.Validate();
        _options = options;
        _time = time ?? TimeProvider.System;
        _defaultTimeoutTicks = ToTimestampTicks(options.CommandTimeout);
    }

    public RedisClientOptions Options => _options;

    public bool IsConnected => Volatile.Read(ref _ready) is not null;

    public RedisHealth Health => _stats.Snapshot(IsConnected, Volatile.Read(ref _current)?.Pending ?? 0);

    /// <summary>Starts connecting in the background (and reconnecting whenever the connection is lost).</summary>
    public void Start()
    {
        if (!_connecting.IsCompleted) return;
        _connecting = Task.Run(ConnectLoopAsync);
    }

    /// <summary>Waits until a connection is ready; false after <paramref name="timeout"/>. For startup and tests, not the data path.</summary>
    public async Task<bool> WaitUntilConnectedAsync(TimeSpan timeout)
    {
        if (IsConnected) return true;
        var connected = Volatile.Read(ref _connected).Task;
        var finished = await Task.WhenAny(connected, Task.Delay(timeout, _time)).ConfigureAwait(false);
        return finished == connected || IsConnected;
    }

    /// <summary>Sends a command whose arguments (name included) the caller writes; see <see cref="IRespArguments"/>.</summary>
    /// <param name="timeout">Default: <see cref="RedisClientOptions.CommandTimeout"/>.</param>
    /// <param name="flush">False buffers the command until <see cref="Flush"/>, another caller's flush or the next
    /// timeout sweep, so a batch goes out in one write.</param>
    public ValueTask<RedisResult> ExecuteAsync<TCommand>(scoped in TCommand command, TimeSpan? timeout = null, bool flush = true)
        where TCommand : IRespArguments, allows ref struct
    {
        var connection = Volatile.Read(ref _ready);
        if (connection is null) return RefuseNotConnected();
        return connection.Execute(command, Deadline(timeout), flush);
    }

    /// <summary>Sends a command given as values: <c>ExecuteAsync("SET", "k", "v", "PX", 1000)</c>.</summary>
    public ValueTask<RedisResult> ExecuteAsync(params ReadOnlySpan<RedisArgument> command) =>
        ExecuteAsync(new RedisArguments(command));

    public ValueTask<RedisResult> ExecuteAsync(TimeSpan timeout, params ReadOnlySpan<RedisArgument> command) =>
        ExecuteAsync(new RedisArguments(command), timeout);

    /// <summary>Runs a script by its SHA (EVALSHA), resending it as EVAL if Redis does not know it.</summary>
    /// <param name="keyCount">How many of <paramref name="keysAndArguments"/> (first) are keys.</param>
    public ValueTask<RedisResult> EvalAsync<TArguments>(RedisScript script, int keyCount, scoped in TArguments keysAndArguments, TimeSpan? timeout = null, bool flush = true)
        where TArguments : IRespArguments, allows ref struct
    {
        ArgumentOutOfRangeException.ThrowIfNegative(keyCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(keyCount, keysAndArguments.Count);
        var connection = Volatile.Read(ref _ready);
        if (connection is null) return RefuseNotConnected();
        return connection.ExecuteScript(script, keyCount, keysAndArguments, Deadline(timeout), flush);
    }

    public ValueTask<RedisResult> EvalAsync(RedisScript script, ReadOnlySpan<RedisArgument> keys, ReadOnlySpan<RedisArgument> arguments, TimeSpan? timeout = null) =>
        EvalAsync(script, keys.Length, new ScriptArguments(keys, arguments), timeout);

    /// <summary>Sends commands buffered with <c>flush: false</c>.</summary>
    public void Flush() => Volatile.Read(ref _ready)?.Flush();

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested) return;
        _stopping.Cancel();
        if (Volatile.Read(ref _current) is { } connection) await connection.DisposeAsync().ConfigureAwait(false);
        await _connecting.ConfigureAwait(false);
        _stopping.Dispose();
    }

    private ValueTask<RedisResult> RefuseNotConnected()
    {
        _stats.RefusedNotConnected();
        return new ValueTask<RedisResult>(RedisResult.NotConnected);
    }

    private long Deadline(TimeSpan? timeout) =>
        _time.GetTimestamp() + (timeout is { } t ? ToTimestampTicks(t) : _defaultTimeoutTicks);

    private long ToTimestampTicks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);

    /// <summary>Keys then arguments of a script call given as values.</summary>
    private readonly ref struct ScriptArguments(ReadOnlySpan<RedisArgument> keys, ReadOnlySpan<RedisArgument> arguments) : IRespArguments
    {
        private readonly ReadOnlySpan<RedisArgument> _keys = keys;
        private readonly ReadOnlySpan<RedisArgument> _arguments = arguments;

        public int Count => _keys.Length + _arguments.Length;

        public void WriteTo(ref RespWriter writer)
        {
            foreach (ref readonly var key in _keys) key.WriteTo(ref writer);
            foreach (ref readonly var argument in _arguments) argument.WriteTo(ref writer);
        }
    }
}
