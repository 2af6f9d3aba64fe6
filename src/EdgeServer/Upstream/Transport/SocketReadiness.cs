using System.Net.Sockets;
using System.Threading.Tasks.Sources;

namespace EdgeServer.Upstream.Transport;

/// <summary>
/// Waits until a socket has bytes to read (or its end of stream, or an error) with a zero-byte receive, holding no
/// buffer; the reader then takes the bytes with a non-blocking receive into memory it rents only now.
/// </summary>
/// <remarks>
/// <para>
/// Unlike <see cref="SocketOperation"/>, the wait can be ended early by <see cref="Wake"/> without cancelling the
/// receive: the zero-byte receive stays queued on the socket, and the next <see cref="WaitAsync"/> waits on it
/// again. That is what lets <see cref="SocketPipeConnection"/> stop its receive loop and hand the socket over
/// (a SocketAsyncEventArgs receive cannot be cancelled short of closing the socket), and what lets a WebSocket relay
/// reading straight from the socket be woken for a ping or a close of its own.
/// </para>
/// <para>
/// One waiter (the socket's single reader), any number of wakers. Completions run the waiter inline, on the thread
/// that completed the receive or called <see cref="Wake"/>, as <see cref="SocketOperation"/> does. No allocation.
/// </para>
/// </remarks>
internal sealed class SocketReadiness : SocketAsyncEventArgs, IValueTaskSource<bool>
{
    private const int Pending = 1;   // a zero-byte receive is queued on the socket
    private const int Ready = 2;     // it completed and nobody has been told yet
    private const int Woken = 4;     // Wake was called and nobody has been told yet
    private const int Waiting = 8;   // the reader awaits _core

    private ManualResetValueTaskSourceCore<bool> _core;
    private int _state;

    public SocketReadiness() : base(unsafeSuppressExecutionContextFlow: true)
    {
        SetBuffer(Memory<byte>.Empty);
    }

    /// <summary>
    /// True once <paramref name="socket"/> has something to read (bytes, its end, or an error the next receive
    /// reports); false when <see cref="Wake"/> was called first. Throws when the socket is already closed.
    /// </summary>
    public ValueTask<bool> WaitAsync(Socket socket)
    {
        var state = Volatile.Read(ref _state);
        if ((state & (Ready | Woken)) != 0) return new ValueTask<bool>(Take());
        if ((state & Pending) == 0)
        {
            Interlocked.Or(ref _state, Pending);
            bool pending;
            try
            {
                pending = socket.ReceiveAsync(this);
            }
            catch
            {
                Interlocked.And(ref _state, ~Pending);
                throw;
            }
            if (!pending)
            {
                Interlocked.And(ref _state, ~Pending);
                return new ValueTask<bool>(true);
            }
        }
        _core.Reset();
        while (true)
        {
            state = Volatile.Read(ref _state);
            if ((state & (Ready | Woken)) != 0) return new ValueTask<bool>(Take());
            if (Interlocked.CompareExchange(ref _state, state | Waiting, state) == state) return new ValueTask<bool>(this, _core.Version);
        }
    }

    /// <summary>Ends the current (or the next) wait with false. Safe from any thread.</summary>
    public void Wake() => Signal(Woken, result: false);

    protected override void OnCompleted(SocketAsyncEventArgs e) => Signal(Ready, result: true, clear: Pending);

    /// <summary>Hands <paramref name="result"/> to the waiter, or leaves <paramref name="bit"/> for the next wait.</summary>
    private void Signal(int bit, bool result, int clear = 0)
    {
        while (true)
        {
            var state = Volatile.Read(ref _state);
            var waiting = (state & Waiting) != 0;
            var next = waiting ? state & ~Waiting & ~clear : (state | bit) & ~clear;
            if (Interlocked.CompareExchange(ref _state, next, state) != state) continue;
            if (waiting) _core.SetResult(result);
            return;
        }
    }

    /// <summary>A signal that arrived while nobody waited: a wake is reported first, readiness stays for the next wait.</summary>
    private bool Take()
    {
        while (true)
        {
            var state = Volatile.Read(ref _state);
            var bit = (state & Woken) != 0 ? Woken : Ready;
            if (Interlocked.CompareExchange(ref _state, state & ~bit, state) == state) return bit == Ready;
        }
    }

    public bool GetResult(short token) => _core.GetResult(token);

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
