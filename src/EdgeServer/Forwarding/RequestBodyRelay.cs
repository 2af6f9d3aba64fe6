using System.Diagnostics;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;
using EdgeServer.Connections;
using EdgeServer.Protocol.Http1;
using EdgeServer.Upstream;

namespace EdgeServer.Forwarding;

/// <summary>
/// Streams a request body from the client to the upstream segment by segment, as it arrives: nothing
/// is buffered beyond what the pipes hold, so a 1 GiB upload passes with flat memory. Chunked bodies
/// are relayed verbatim after the decoder has validated every byte of framing. When the body fails
/// (malformed, too large, client gone or silent) the upstream connection is aborted at once, so the
/// upstream never waits for the rest and the response side stops waiting for the upstream.
/// </summary>
/// <remarks>
/// The relay runs concurrently with the connection loop's response head read, so it cannot be one of the
/// loop's synchronous steps. It is not an async method either: a fresh async method per body boxes its
/// state machine whenever it suspends, and with many connections interleaved on one I/O thread the pooling
/// builder's small per-thread cache cannot absorb that (measured: 434 B per streamed body). Instead each
/// client connection owns one relay, created with its first body and reused for every later one. It is
/// a hand-written state machine: a pipe operation that completes at once is handled in a loop; one that
/// does not gets the relay's cached callback (<see cref="_onRead"/>, <see cref="_onFlush"/>), and the
/// outcome is handed to the loop through <see cref="ManualResetValueTaskSourceCore{TResult}"/>. Nothing is
/// allocated per request. At most one body is in flight per connection: the loop awaits every relay it
/// starts before the next request, except when the connection closes anyway (an upgrade refused).
/// </remarks>
internal sealed class RequestBodyRelay : IValueTaskSource<BodyResult>
{
    private readonly ClientConnection _connection;
    private readonly Action _onRead;
    private readonly Action _onFlush;
    // Continuations run inline, as an awaited async method's would: the loop resumes on the relay's thread.
    private ManualResetValueTaskSourceCore<BodyResult> _core;
    private ConfiguredValueTaskAwaitable<ReadResult>.ConfiguredValueTaskAwaiter _readAwaiter;
    private ConfiguredValueTaskAwaitable<FlushResult>.ConfiguredValueTaskAwaiter _flushAwaiter;

    // The current body.
    private UpstreamConnection? _upstream;
    private PipeWriter? _destination;
    private long _maxBodyBytes;
    private long _idleTimeoutMs;
    private bool _chunked;
    private long _remaining;
    private ChunkedBodyDecoder _decoder;
    private long _total;
    // What the last read decided, for after its flush.
    private bool _done;
    private bool _sourceCompleted;
    private volatile bool _allRead;
    private bool _running;

    public RequestBodyRelay(ClientConnection connection)
    {
        _connection = connection;
        _onRead = OnReadCompleted;
        _onFlush = OnFlushCompleted;
    }

    /// <summary>
    /// Every byte of the current body has been taken from the client; at most its last flush to the
    /// upstream is still under way. Set before that flush, so an upstream answer to the whole body is
    /// never seen before it: a response does not then count as racing an unfinished upload.
    /// </summary>
    public bool AllRead => _allRead;

    /// <summary>
    /// Starts relaying the current request's body to <paramref name="upstream"/>. Runs synchronously until
    /// it must wait for the client or the upstream, so a body already buffered has ended on return.
    /// </summary>
    public ValueTask<BodyResult> Start(UpstreamConnection upstream, long maxBodyBytes, long idleTimeoutMs)
    {
        Debug.Assert(!_running, "one body at a time per connection");
        var head = _connection.Head;
        _core.Reset();
        _upstream = upstream;
        _destination = upstream.Output;
        _maxBodyBytes = maxBodyBytes;
        _idleTimeoutMs = idleTimeoutMs;
        _chunked = head.IsChunked;
        _remaining = head.ContentLength;
        _decoder = default;
        _total = 0;
        _done = false;
        _sourceCompleted = false;
        _allRead = false;
        _running = true;
        var version = _core.Version;
        ReadLoop();
        return new ValueTask<BodyResult>(this, version);
    }

    /// <summary>Reads and relays until a read or a flush must wait, or the body ends.</summary>
    private void ReadLoop()
    {
        try
        {
            while (true)
            {
                _connection.ArmClientTimeout(_idleTimeoutMs);
                ReadResult result;
                try
                {
                    var read = _connection.Input.ReadAsync().ConfigureAwait(false).GetAwaiter();
                    if (!read.IsCompleted)
                    {
                        _readAwaiter = read;
                        read.UnsafeOnCompleted(_onRead);
                        return;
                    }
                    result = read.GetResult();
                }
                catch (Exception)
                {
                    Complete(new(BodyOutcome.SourceAborted, _total));
                    return;
                }
                if (!Relay(result)) return;
            }
        }
        catch (Exception ex)
        {
            Fail(ex);
        }
    }

    private void OnReadCompleted()
    {
        ReadResult result;
        try
        {
            var read = _readAwaiter;
            _readAwaiter = default;
            result = read.GetResult();
        }
        catch (Exception)
        {
            Complete(new(BodyOutcome.SourceAborted, _total));
            return;
        }
        bool again;
        try
        {
            again = Relay(result);
        }
        catch (Exception ex)
        {
            Fail(ex);
            return;
        }
        if (again) ReadLoop();
    }

    private void OnFlushCompleted()
    {
        FlushResult flush;
        try
        {
            var awaiter = _flushAwaiter;
            _flushAwaiter = default;
            flush = awaiter.GetResult();
        }
        catch (Exception)
        {
            _connection.DisarmClientTimeout();
            Complete(new(BodyOutcome.DestinationGone, _total));
            return;
        }
        if (AfterFlush(flush)) ReadLoop();
    }

    /// <summary>Relays what one read returned and flushes it. True: read again now; false: the relay waits or has ended.</summary>
    private bool Relay(in ReadResult result)
    {
        var input = _connection.Input;
        if (result.IsCanceled)
        {
            // A pipe must always be advanced before the next read, whoever reads next.
            input.AdvanceTo(result.Buffer.Start);
            if (_connection.BodyStopRequested)
            {
                Complete(new(BodyOutcome.Stopped, _total));
                return false;
            }
            if (_connection.ClientTimedOut)
            {
                Complete(new(BodyOutcome.SourceTimedOut, _total));
                return false;
            }
            return true;
        }

        var buffer = result.Buffer;
        ReadOnlySequence<byte> slice;
        bool done;
        if (_chunked)
        {
            var status = _decoder.Process(buffer, _maxBodyBytes, out var consumed);
            if (status == ChunkedStatus.Error)
            {
                input.AdvanceTo(buffer.Start, buffer.End);
                _connection.DisarmClientTimeout();
                Complete(new(BodyOutcome.Malformed, _total, _decoder.Error));
                return false;
            }
            slice = buffer.Slice(0, consumed);
            done = status == ChunkedStatus.Done;
        }
        else
        {
            var take = Math.Min(_remaining, buffer.Length);
            slice = buffer.Slice(0, take);
            _remaining -= take;
            done = _remaining == 0;
        }

        var destination = _destination!;
        foreach (var segment in slice)
        {
            destination.Write(segment.Span);
        }
        _total += slice.Length;
        input.AdvanceTo(slice.End, done ? slice.End : buffer.End);
        _done = done;
        _sourceCompleted = result.IsCompleted;
        if (done) _allRead = true;

        FlushResult flush;
        try
        {
            var flushing = destination.FlushAsync().ConfigureAwait(false).GetAwaiter();
            if (!flushing.IsCompleted)
            {
                _flushAwaiter = flushing;
                flushing.UnsafeOnCompleted(_onFlush);
                return false;
            }
            flush = flushing.GetResult();
        }
        catch (Exception)
        {
            _connection.DisarmClientTimeout();
            Complete(new(BodyOutcome.DestinationGone, _total));
            return false;
        }
        return AfterFlush(flush);
    }

    /// <summary>True: read again now; false: the body has ended.</summary>
    private bool AfterFlush(in FlushResult flush)
    {
        if (flush.IsCompleted || flush.IsCanceled)
        {
            _connection.DisarmClientTimeout();
            Complete(new(BodyOutcome.DestinationGone, _total));
            return false;
        }
        if (_done)
        {
            _connection.DisarmClientTimeout();
            Complete(new(BodyOutcome.Done, _total));
            return false;
        }
        if (_sourceCompleted)
        {
            _connection.DisarmClientTimeout();
            Complete(new(BodyOutcome.SourceAborted, _total));
            return false;
        }
        return true;
    }

    /// <summary>
    /// Ends the current body. The loop may resume inside this call and start the next body on this relay,
    /// so nothing may touch the relay's state after it.
    /// </summary>
    private void Complete(in BodyResult result)
    {
        if (result.Outcome is BodyOutcome.Malformed or BodyOutcome.SourceAborted or BodyOutcome.SourceTimedOut) _upstream!.Abort();
        _upstream = null;
        _destination = null;
        _running = false;
        _core.SetResult(result);
    }

    /// <summary>An unexpected failure faults the body, as an exception escaping an async method would.</summary>
    private void Fail(Exception ex)
    {
        _upstream = null;
        _destination = null;
        _running = false;
        _core.SetException(ex);
    }

    BodyResult IValueTaskSource<BodyResult>.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<BodyResult>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<BodyResult>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
