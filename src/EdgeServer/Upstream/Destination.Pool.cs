namespace EdgeServer.Upstream;

/// <summary>
/// The destination's connection pool: idle keep-alive connections (LIFO), a cap on open connections
/// with a bounded wait for a free one, an idle-timeout sweep, and retirement on config reload.
/// </summary>
internal sealed partial class Destination
{
    private readonly Lock _lock = new();
    private readonly IdleConnectionStack _idle; // guarded by _lock
    private readonly long _idleTimeoutTicks;
    /// <summary>Wakes acquirers waiting at the connection cap; released only when someone waits.</summary>
    private readonly SemaphoreSlim _slotFreed = new(0);
    private int _inFlight;
    private int _open;    // connected or connecting; at most MaxConnectionsPerDestination
    private int _waiters; // acquirers waiting at the cap
    private bool _retired; // guarded by _lock for writes; set once

    public int IdleConnections
    {
        get { lock (_lock) return _idle.Count; }
    }

    /// <summary>Open connections, busy and idle, including ones still connecting.</summary>
    public int OpenConnections => Volatile.Read(ref _open);

    /// <summary>
    /// A pooled idle connection that is still open, or a new one (connect timeout from the cluster).
    /// Counts the request as in flight until <see cref="Release"/>. Throws <see cref="UpstreamConnectException"/>.
    /// </summary>
    public ValueTask<UpstreamConnection> AcquireAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _inFlight);
        // The pooled path completes synchronously: no state machine, no allocation.
        return TryTakeIdle(out var connection)
            ? new ValueTask<UpstreamConnection>(connection)
            : AcquireSlowAsync(cancellationToken);
    }

    /// <summary>Ends the request: back to the pool when <paramref name="reusable"/>, else closed.</summary>
    public void Release(UpstreamConnection connection, bool reusable)
    {
        Interlocked.Decrement(ref _inFlight);
        connection.CompletedRequests++;
        if (reusable)
        {
            connection.IdleSince = _time.GetTimestamp();
            connection.Response.Reset();
            bool pooled, wake;
            lock (_lock)
            {
                // Checked under the lock so a retirement draining the pool cannot miss this connection.
                pooled = !_retired && _idle.TryPush(connection);
                wake = pooled && _waiters > 0;
            }
            if (pooled)
            {
                if (wake) _slotFreed.Release();
                return;
            }
        }
        Close(connection);
    }

    private bool TryTakeIdle(out UpstreamConnection connection)
    {
        while (true)
        {
            bool popped;
            lock (_lock) popped = _idle.TryPop(out connection);
            if (!popped) return false;
            if (IsStillUsable(connection)) return true;
            Close(connection);
        }
    }

    /// <summary>
    /// An idle connection is usable when nothing arrived on it: end of stream means the backend closed
    /// it (keep-alive timeout, restart), and bytes nobody asked for mean the backend is out of step with
    /// us; either way another request on it would fail or read the wrong response.
    /// </summary>
    private static bool IsStillUsable(UpstreamConnection connection)
    {
        try
        {
            var input = connection.Input;
            if (!input.TryRead(out var result)) return true;
            var usable = !result.IsCompleted && result.Buffer.IsEmpty;
            input.AdvanceTo(result.Buffer.Start);
            return usable;
        }
        catch (Exception)
        {
            // A reset or abort completes the transport's input with an error, which TryRead rethrows
            // (ConnectionResetException, ConnectionAbortedException, ...). Whatever the type, the
            // connection is unusable, and letting it escape would fail a request a new connection can serve.
            return false;
        }
    }

    private async ValueTask<UpstreamConnection> AcquireSlowAsync(CancellationToken cancellationToken)
    {
        // One budget, the connect timeout, covers waiting for a free slot and connecting.
        var started = _time.GetTimestamp();
        try
        {
            while (true)
            {
                if (TryReserveSlot()) return await ConnectNewAsync(Remaining(started), cancellationToken).ConfigureAwait(false);

                Interlocked.Increment(ref _waiters);
                try
                {
                    // Re-check after announcing ourselves: a release before the increment woke nobody.
                    if (TryTakeIdle(out var idle)) return idle;
                    if (Volatile.Read(ref _open) < _config.MaxConnectionsPerDestination) continue;
                    if (!await WaitForSlotAsync(Remaining(started), cancellationToken).ConfigureAwait(false))
                    {
                        throw new UpstreamConnectException(
                            $"no connection to {AddressText} became free within the connect timeout " +
                            $"({_config.MaxConnectionsPerDestination} open)", timedOut: true);
                    }
                }
                finally
                {
                    Interlocked.Decrement(ref _waiters);
                }
                if (TryTakeIdle(out var released)) return released;
            }
        }
        catch
        {
            Interlocked.Decrement(ref _inFlight);
            throw;
        }
    }

    private TimeSpan Remaining(long started) => _config.ConnectTimeout - _time.GetElapsedTime(started);

    private bool TryReserveSlot()
    {
        var open = Volatile.Read(ref _open);
        while (open < _config.MaxConnectionsPerDestination)
        {
            var seen = Interlocked.CompareExchange(ref _open, open + 1, open);
            if (seen == open) return true;
            open = seen;
        }
        return false;
    }

    private void FreeSlot()
    {
        Interlocked.Decrement(ref _open);
        if (Volatile.Read(ref _waiters) > 0) _slotFreed.Release();
    }

    private async ValueTask<bool> WaitForSlotAsync(TimeSpan remaining, CancellationToken cancellationToken)
    {
        if (remaining <= TimeSpan.Zero) return false;
        using var timeout = new CancellationTokenSource(remaining, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            await _slotFreed.WaitAsync(linked.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private async ValueTask<UpstreamConnection> ConnectNewAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            var context = await _factory.ConnectAsync(Address, Tls, timeout, _time, cancellationToken).ConfigureAwait(false);
            return new UpstreamConnection(context, this, _responseLimits);
        }
        catch
        {
            FreeSlot();
            throw;
        }
    }

    /// <summary>Aborts now (the socket is gone and the slot free at once); disposal finishes in the background.</summary>
    private void Close(UpstreamConnection connection)
    {
        connection.Abort();
        FreeSlot();
        _ = DisposeQuietlyAsync(connection);
    }

    private static async Task DisposeQuietlyAsync(UpstreamConnection connection)
    {
        try
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Already aborted, so whatever the transport reports while winding down is noise about a
            // connection we were discarding anyway; it must not fault a retirement or go unobserved.
        }
    }

    /// <summary>Closes idle connections idle for longer than the cluster's IdleTimeout.</summary>
    internal void SweepIdle()
    {
        var idleBefore = _time.GetTimestamp() - _idleTimeoutTicks;
        List<UpstreamConnection>? expired = null;
        lock (_lock)
        {
            if (_idle.Count > 0)
            {
                expired = [];
                _idle.RemoveIdleBefore(idleBefore, expired);
            }
        }
        if (expired is not null) foreach (var connection in expired) Close(connection);
    }

    /// <summary>
    /// Config reload removed or changed this destination's cluster: idle connections close now, leased
    /// ones close when released (their requests finish), and nothing is pooled any more.
    /// </summary>
    internal Task RetireAsync()
    {
        var drained = new List<UpstreamConnection>();
        lock (_lock)
        {
            _retired = true;
            _idle.RemoveAll(drained);
        }
        if (drained.Count == 0) return Task.CompletedTask;
        var disposals = new Task[drained.Count];
        for (var i = 0; i < drained.Count; i++)
        {
            drained[i].Abort();
            FreeSlot();
            disposals[i] = DisposeQuietlyAsync(drained[i]);
        }
        return Task.WhenAll(disposals);
    }

    internal bool IsRetired
    {
        get { lock (_lock) return _retired; }
    }
}
