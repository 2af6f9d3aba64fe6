using System.IO.Pipelines;
using System.Net.Sockets;
using EdgeServer.Upstream.Transport;

namespace EdgeServer.Redis;

/// <summary>
/// One TCP connection to Redis shared by every caller (multiplexed). A call takes the write lock just
/// long enough to frame its command into the output pipe, enqueue its <see cref="PendingCall"/> and
/// flush; replies come back in command order and the reply loop (<c>RedisConnection.Replies.cs</c>)
/// hands each to the call at the head of the FIFO queue. Commands of concurrent callers are therefore
/// pipelined on the wire with no extra step. When the connection fails, every queued call completes
/// with <see cref="RedisResultKind.ConnectionLost"/> and later calls are refused at once.
/// </summary>
internal sealed partial class RedisConnection
{
    // Neither pipe ever pauses: a flush under the write lock must complete synchronously. What they
    // may hold is bounded by MaxPendingCalls (output) and MaxBufferedReplyBytes (input) instead.
    private static readonly PipeOptions InputOptions = new(
        BlockMemoryPool.Shared, PipeScheduler.Inline, PipeScheduler.Inline,
        pauseWriterThreshold: 0, resumeWriterThreshold: 0,
        minimumSegmentSize: BlockMemoryPool.BlockSize, useSynchronizationContext: false);

    private static readonly PipeOptions OutputOptions = InputOptions;

    private readonly Lock _gate = new();
    private readonly SocketPipeConnection _transport;
    private readonly PipeWriter _output;
    private readonly CallQueue _queue;
    private readonly PendingCallPool _pool;
    private readonly RedisStats _stats;
    private readonly TimeProvider _time;
    private readonly int _maxBufferedReplyBytes;
    private readonly TaskCompletionSource<string> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _replies;
    private bool _closing;   // under _gate: no more writes
    private bool _unflushed; // under _gate: commands written with flush: false
    private bool _sweeping;  // under _gate: the sweep timer is running
    private string? _closeReason;

    // Runs only while calls are queued or commands buffered: a node whose limits sync every 100 ms would otherwise
    // wake a timer and a thread-pool worker every few milliseconds for nothing, on the cores the data path uses
    // (measured: ~7 % of the proxy core's samples in the approximate mode's compare run, docs/performance.md).
    private readonly ITimer _sweeper;
    private readonly TimeSpan _sweepPeriod;
    private readonly long _stallTicks;

    public RedisConnection(Socket socket, RedisClientOptions options, PendingCallPool pool, RedisStats stats, TimeProvider time)
    {
        _transport = new SocketPipeConnection(socket, InputOptions, OutputOptions);
        _output = _transport.Output;
        _queue = new CallQueue(options.MaxPendingCalls);
        _pool = pool;
        _stats = stats;
        _time = time;
        _maxBufferedReplyBytes = options.MaxBufferedReplyBytes;
        _sweepPeriod = options.TimeoutResolution;
        _stallTicks = (long)(options.StallTimeout.TotalSeconds * time.TimestampFrequency);
        _sweeper = time.CreateTimer(static state => ((RedisConnection)state!).Sweep(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _replies = ReadRepliesAsync();
    }

    /// <summary>Completes with the reason once the connection has failed and every queued call has been completed.</summary>
    public Task<string> Closed => _closed.Task;

    public int Pending => _queue.Count;

    /// <summary>Writes a command; the returned task completes with its reply or a failure (never throws for I/O).</summary>
    public ValueTask<RedisResult> Execute<TCommand>(scoped in TCommand command, long deadline, bool flush)
        where TCommand : IRespArguments, allows ref struct
    {
        lock (_gate)
        {
            if (!TryStartCall(deadline, script: null, out var call, out var refused)) return new ValueTask<RedisResult>(refused);
            try
            {
                var writer = new RespWriter(_output);
                writer.WriteArrayHeader(command.Count);
                command.WriteTo(ref writer);
                CheckArgumentCount(writer.Written, command.Count);
            }
            catch
            {
                // Half a command may be in the pipe: the stream cannot be trusted, so it is never sent.
                AbortUnderLock("a command could not be written");
                throw;
            }
            return Enqueue(call, flush);
        }
    }

    /// <summary>Sends buffered commands (written with <c>flush: false</c>).</summary>
    public void Flush()
    {
        lock (_gate)
        {
            if (_unflushed && !_closing) FlushUnderLock();
        }
    }

    /// <summary>Times out overdue calls and drops the connection if it stalled (the sweep timer calls this).</summary>
    internal void Sweep()
    {
        lock (_gate)
        {
            if (_closing) return;
            var now = _time.GetTimestamp();
            // Buffered commands are sent at the latest now, so a forgotten Flush costs latency, not a hang.
            if (_unflushed) FlushUnderLock();
            var head = _queue.Head;
            var tail = _queue.Tail;
            for (var i = head; i < tail; i++)
            {
                var call = _queue.At(i);
                if (call is null || call.IsDecided || call.Deadline > now) continue;
                if (call.TryComplete(RedisResult.TimedOut)) _stats.TimedOut();
            }
            if (_queue.At(head) is { } oldest && now - oldest.WrittenAt > _stallTicks)
            {
                _stats.Stalled();
                AbortUnderLock("no reply from Redis within the stall timeout");
                return;
            }
            // Timed-out calls stay queued until their replies come: the stall check needs the timer while they do.
            if (_queue.Count == 0)
            {
                _sweeping = false;
                _sweeper.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }
        }
    }

    /// <summary>Closes the connection; queued calls complete with <see cref="RedisResultKind.ConnectionLost"/>.</summary>
    public void Abort(string reason)
    {
        lock (_gate) AbortUnderLock(reason);
    }

    public async ValueTask DisposeAsync()
    {
        Abort("closed by the client");
        await _replies.ConfigureAwait(false);
    }

    private bool TryStartCall(long deadline, RedisScript? script, out PendingCall call, out RedisResult refused)
    {
        call = null!;
        refused = default;
        if (_closing)
        {
            _stats.RefusedNotConnected();
            refused = RedisResult.NotConnected;
            return false;
        }
        if (_queue.Count >= _queue.Capacity)
        {
            _stats.RefusedOverloaded();
            refused = RedisResult.Overloaded;
            return false;
        }
        call = _pool.Rent();
        call.Start(deadline, script, withCaller: true);
        return true;
    }

    private ValueTask<RedisResult> Enqueue(PendingCall call, bool flush)
    {
        var version = call.Version;
        call.WrittenAt = _time.GetTimestamp();
        QueueUnderLock(call); // room was checked in TryStartCall, under the same lock
        _stats.CallWritten();
        if (flush) FlushUnderLock();
        else _unflushed = true;
        return new ValueTask<RedisResult>(call, version);
    }

    private void QueueUnderLock(PendingCall call)
    {
        _queue.TryEnqueue(call);
        if (_sweeping || _closing) return;
        _sweeping = true;
        _sweeper.Change(_sweepPeriod, _sweepPeriod);
    }

    private void FlushUnderLock()
    {
        _unflushed = false;
        try
        {
            // Never pauses (pauseWriterThreshold 0), so this completes here; the send loop runs inline
            // and sends at once, or picks these bytes up with others when a send is already under way.
            var flushing = _output.FlushAsync();
            if (!flushing.IsCompleted) throw new InvalidOperationException("the Redis output pipe paused");
            if (flushing.Result.IsCompleted) AbortUnderLock("the connection stopped sending");
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            AbortUnderLock(e.Message);
        }
    }

    private static void CheckArgumentCount(int written, int declared)
    {
        if (written != declared)
            throw new InvalidOperationException($"a Redis command declared {declared} arguments but wrote {written}");
    }

    private void AbortUnderLock(string reason)
    {
        if (_closing) return;
        _closing = true;
        _closeReason = reason;
        _sweeper.Dispose();
        // The reply loop then ends, completes the queued calls and reports Closed.
        _transport.Abort();
    }
}
