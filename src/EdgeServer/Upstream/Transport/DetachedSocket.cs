using System.IO.Pipelines;
using System.Net.Sockets;

namespace EdgeServer.Upstream.Transport;

/// <summary>
/// A plain upstream socket taken over from its <see cref="SocketPipeConnection"/> (<see cref="SocketPipeConnection.DetachAsync"/>):
/// no pipes and no loops any more, its one reader and its one writer call the socket directly. A WebSocket relay
/// uses it after the 101, so an idle relay holds neither the pipes nor the loops, and each direction copies once
/// less (it receives into the client's output pipe and sends from the client's input pipe).
/// </summary>
/// <remarks>
/// Reading: <see cref="WaitAsync"/> (a zero-byte receive, no buffer held) then <see cref="Receive"/>, non-blocking.
/// Writing: <see cref="TrySend"/>, non-blocking, then <see cref="SendAsync"/> for what the kernel did not take;
/// the operation behind it is created the first time a send has to wait, so a relay that never met backpressure
/// never holds one. As an <see cref="IUpstreamTransport"/> (what its <see cref="UpstreamConnection"/> now holds) it
/// only aborts and disposes: its pipes are completed placeholders that throw on use.
/// </remarks>
internal sealed class DetachedSocket : IUpstreamTransport
{
    private static readonly Pipe Gone = CompletedPipe();

    private readonly Socket _socket;
    private readonly SocketReadiness _readiness;
    private PipeReader? _received;
    private SocketOperation? _send;
    private int _aborted;

    public DetachedSocket(Socket socket, SocketReadiness readiness, PipeReader received, bool endedBeforeDetach)
    {
        _socket = socket;
        _readiness = readiness;
        _received = received;
        EndedBeforeDetach = endedBeforeDetach;
    }

    /// <summary>The peer had ended its stream (or it failed) before the socket was detached.</summary>
    public bool EndedBeforeDetach { get; }

    public PipeReader Input => Gone.Reader;
    public PipeWriter Output => Gone.Writer;

    /// <summary>
    /// Once: the reader of what the transport had received and nobody had read yet (its writer is completed; a
    /// transport error is rethrown by its read). Complete it when done: that gives its blocks back.
    /// </summary>
    public PipeReader? TakeReceived() => Interlocked.Exchange(ref _received, null);

    /// <summary>True once there is something to <see cref="Receive"/>; false when <see cref="Wake"/> was called first.</summary>
    public ValueTask<bool> WaitAsync() => _readiness.WaitAsync(_socket);

    /// <summary>Ends the reader's current or next <see cref="WaitAsync"/> with false.</summary>
    public void Wake() => _readiness.Wake();

    /// <summary>Bytes received (0: the peer's end of stream), or -1 when nothing is there after all. Throws on errors.</summary>
    public int Receive(Span<byte> buffer)
    {
        var received = _socket.Receive(buffer, SocketFlags.None, out var status);
        if (status == SocketError.WouldBlock) return -1;
        if (status != SocketError.Success) throw new SocketException((int)status);
        return received;
    }

    /// <summary>Bytes the kernel took at once (0 when its buffer is full). Throws on errors.</summary>
    public int TrySend(ReadOnlySpan<byte> buffer)
    {
        var sent = _socket.Send(buffer, SocketFlags.None, out var status);
        if (status == SocketError.WouldBlock) return 0;
        if (status != SocketError.Success) throw new SocketException((int)status);
        return sent;
    }

    /// <summary>Sends all of <paramref name="buffer"/>, waiting for the kernel to take it.</summary>
    public ValueTask<int> SendAsync(ReadOnlyMemory<byte> buffer) => (_send ??= new SocketOperation()).SendAsync(_socket, buffer);

    /// <summary>Closes the socket now: a pending wait completes, pending sends fail.</summary>
    public void Abort()
    {
        if (Interlocked.Exchange(ref _aborted, 1) != 0) return;
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already reset or closed by the peer: closing below is all that is left to do.
        }
        _socket.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Abort();
        TakeReceived()?.Complete();
        _readiness.Dispose();
        _send?.Dispose();
        return ValueTask.CompletedTask;
    }

    private static Pipe CompletedPipe()
    {
        var pipe = new Pipe();
        pipe.Writer.Complete();
        pipe.Reader.Complete();
        return pipe;
    }
}
