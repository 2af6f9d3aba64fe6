using System.Net.Sockets;
using System.Threading.Tasks.Sources;

namespace EdgeServer.Upstream.Transport;

/// <summary>
/// One reusable socket operation (receive or send) awaitable as a <see cref="ValueTask{Int32}"/>, after
/// Kestrel's SocketAwaitableEventArgs: the same event args serve every operation of the connection, so
/// a receive or send allocates nothing. One operation at a time (each loop owns its own instance).
/// Continuations run inline on the completing (epoll) thread: the data path never blocks, and a hop to
/// the thread pool per operation was a context switch (docs/performance.md).
/// </summary>
internal sealed class SocketOperation : SocketAsyncEventArgs, IValueTaskSource<int>
{
    private static readonly Action<object?> CompletedSentinel = static _ => { };

    private Action<object?>? _continuation;
    private object? _state;

    public SocketOperation() : base(unsafeSuppressExecutionContextFlow: true)
    {
    }

    public ValueTask<int> ReceiveAsync(Socket socket, Memory<byte> buffer)
    {
        SetBuffer(buffer);
        return socket.ReceiveAsync(this) ? new ValueTask<int>(this, 0) : CompletedSynchronously();
    }

    public ValueTask<int> SendAsync(Socket socket, ReadOnlyMemory<byte> buffer)
    {
        // The socket only reads a send buffer; SAEA takes Memory<byte> for both directions.
        SetBuffer(System.Runtime.InteropServices.MemoryMarshal.AsMemory(buffer));
        return socket.SendAsync(this) ? new ValueTask<int>(this, 0) : CompletedSynchronously();
    }

    /// <summary>Sends the segments of <see cref="SocketAsyncEventArgs.BufferList"/> (set by the caller) in one call.</summary>
    public ValueTask<int> SendListAsync(Socket socket) =>
        socket.SendAsync(this) ? new ValueTask<int>(this, 0) : CompletedSynchronously();

    private ValueTask<int> CompletedSynchronously() =>
        SocketError == SocketError.Success
            ? new ValueTask<int>(BytesTransferred)
            : ValueTask.FromException<int>(new SocketException((int)SocketError));

    protected override void OnCompleted(SocketAsyncEventArgs e)
    {
        var continuation = _continuation;
        if (continuation is not null || (continuation = Interlocked.CompareExchange(ref _continuation, CompletedSentinel, null)) is not null)
        {
            var state = _state;
            _state = null;
            _continuation = CompletedSentinel;
            continuation(state);
        }
    }

    public int GetResult(short token)
    {
        _continuation = null;
        if (SocketError != SocketError.Success) throw new SocketException((int)SocketError);
        return BytesTransferred;
    }

    public ValueTaskSourceStatus GetStatus(short token)
    {
        if (!ReferenceEquals(_continuation, CompletedSentinel)) return ValueTaskSourceStatus.Pending;
        return SocketError == SocketError.Success ? ValueTaskSourceStatus.Succeeded : ValueTaskSourceStatus.Faulted;
    }

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
    {
        _state = state;
        var previous = Interlocked.CompareExchange(ref _continuation, continuation, null);
        if (ReferenceEquals(previous, CompletedSentinel))
        {
            // Completed between the pending check and here: run it without growing this thread's stack.
            _state = null;
            ThreadPool.UnsafeQueueUserWorkItem(continuation, state, preferLocal: true);
        }
    }
}
