using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;

namespace EdgeServer.Upstream.Transport;

/// <summary>
/// A connected socket as two pipes, after Kestrel's SocketConnection but receiving into 32 KiB blocks
/// (<see cref="BlockMemoryPool"/>): one receive loop fills <see cref="Input"/>, one send loop drains
/// <see cref="Output"/>. Peer FIN completes Input; a reset or abort completes it with an exception, which
/// the reader's next read rethrows. Each loop is one async method started once per connection, so
/// steady-state receives and sends allocate nothing.
/// </summary>
/// <remarks>
/// The receive loop waits with <see cref="SocketReadiness"/> (a zero-byte receive, no buffer held) and then
/// takes what is there with a non-blocking receive into a rented block. Because that wait can be woken, the
/// loops can be stopped without closing the socket: <see cref="DetachAsync"/> hands the socket to a caller that
/// reads and writes it directly from then on (a WebSocket relay after its 101), and gives the pipes back.
/// </remarks>
internal sealed class SocketPipeConnection : IUpstreamTransport
{
    private readonly Socket _socket;
    private readonly Pipe _input;
    private readonly Pipe _output;
    private readonly SocketReadiness _readiness = new();
    private readonly SocketOperation _send = new();
    private readonly List<ArraySegment<byte>> _sendList = [];
    private readonly Task _receiving;
    private readonly Task _sending;
    private int _aborted;
    private int _detaching;
    private bool _receiveEnded; // the receive loop completed Input itself (end of stream, error, abort)

    /// <param name="pool">The process-wide <see cref="BlockMemoryPool.Shared"/> unless a test needs its own to count blocks.</param>
    public SocketPipeConnection(Socket socket, BlockMemoryPool? pool = null)
        : this(socket,
            pool is null ? UpstreamPipeOptions.SharedInput : UpstreamPipeOptions.Input(pool),
            pool is null ? UpstreamPipeOptions.SharedOutput : UpstreamPipeOptions.Output(pool))
    {
    }

    /// <summary>With pipe settings of the caller's (the Redis client's pipes never pause: it bounds its
    /// buffered bytes itself). Both pools must hand out array-backed blocks of <see cref="BlockMemoryPool.BlockSize"/>.</summary>
    public SocketPipeConnection(Socket socket, PipeOptions input, PipeOptions output)
    {
        _socket = socket;
        // Receives after a readiness wait must never block the thread; sends stay asynchronous (SocketOperation).
        socket.Blocking = false;
        _input = new Pipe(input);
        _output = new Pipe(output);
        _receiving = ReceiveLoopAsync();
        _sending = SendLoopAsync();
    }

    public PipeReader Input => _input.Reader;
    public PipeWriter Output => _output.Writer;

    /// <summary>Closes the socket now: pending receives and sends fail, and both loops end.</summary>
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
        // The send loop may be parked on an empty output pipe; wake it so it sees the abort.
        _output.Reader.CancelPendingRead();
    }

    /// <summary>Aborts (an upstream connection is only disposed when discarded) and waits for both loops.</summary>
    public async ValueTask DisposeAsync()
    {
        Abort();
        await _receiving.ConfigureAwait(false);
        await _sending.ConfigureAwait(false);
        _input.Reader.Complete();
        _output.Writer.Complete();
        if (Volatile.Read(ref _detaching) == 0) _readiness.Dispose();
        _send.Dispose();
    }

    /// <summary>
    /// Stops both loops without closing the socket and hands it over: from now on the caller alone reads and writes
    /// it (<see cref="DetachedSocket"/>). Bytes already received stay readable from <see cref="Input"/> (its writer is
    /// completed: <see cref="DetachedSocket.EndedBeforeDetach"/> says whether the peer had really ended); the caller
    /// completes that reader once it has taken them, which gives the pipe's blocks back. Call once, with no read or
    /// flush of the pipes pending.
    /// </summary>
    public async ValueTask<DetachedSocket> DetachAsync()
    {
        Volatile.Write(ref _detaching, 1);
        _readiness.Wake();                  // a receive loop waiting for bytes
        _input.Writer.CancelPendingFlush(); // one waiting for the reader to make room
        _output.Reader.CancelPendingRead(); // the send loop waiting for bytes to send
        await _receiving.ConfigureAwait(false);
        await _sending.ConfigureAwait(false);
        var ended = _receiveEnded;
        if (!ended) await _input.Writer.CompleteAsync().ConfigureAwait(false);
        await _output.Reader.CompleteAsync().ConfigureAwait(false);
        await _output.Writer.CompleteAsync().ConfigureAwait(false);
        _send.Dispose();
        return new DetachedSocket(_socket, _readiness, _input.Reader, ended);
    }

    private async Task ReceiveLoopAsync()
    {
        Exception? error = null;
        var writer = _input.Writer;
        try
        {
            var drained = true;
            while (true)
            {
                if (drained)
                {
                    // Zero-byte wait: wait for data holding no buffer, so idle pooled connections
                    // (parked here between requests) pin no 32 KiB block. Only DetachAsync wakes it.
                    var ready = await _readiness.WaitAsync(_socket).ConfigureAwait(false);
                    if (Volatile.Read(ref _detaching) != 0) return;
                    if (!ready) continue;
                }
                var buffer = writer.GetMemory(BlockMemoryPool.BlockSize);
                var received = _socket.Receive(buffer.Span, SocketFlags.None, out var status);
                if (status == SocketError.WouldBlock)
                {
                    drained = true;
                    continue;
                }
                if (status != SocketError.Success) throw new SocketException((int)status);
                if (received == 0) break; // FIN: the peer sends nothing more
                writer.Advance(received);
                // A full buffer means more is likely queued in the kernel: read again at once instead of
                // paying a zero-byte wait for data that is already there.
                drained = received < buffer.Length;
                var flush = await writer.FlushAsync().ConfigureAwait(false);
                if (flush.IsCanceled && Volatile.Read(ref _detaching) != 0) return;
                if (flush.IsCompleted || flush.IsCanceled) break;
            }
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset)
        {
            error = new ConnectionResetException(e.Message, e);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            error = new IOException(e.Message, e);
        }
        catch (Exception e)
        {
            error = e;
        }
        // After our own abort the socket may report a clean end or any error; either way the reader must
        // see an abort, not a backend that finished its response.
        if (Volatile.Read(ref _aborted) != 0) error = new ConnectionAbortedException("upstream connection aborted by the proxy");
        _receiveEnded = true;
        await writer.CompleteAsync(error).ConfigureAwait(false);
    }

    private async Task SendLoopAsync()
    {
        Exception? error = null;
        var reader = _output.Reader;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync().ConfigureAwait(false);
                var detaching = Volatile.Read(ref _detaching) != 0;
                if (result.IsCanceled && !detaching) break; // Abort
                var buffer = result.Buffer;
                // Sends inline in this one loop (no async helper): a helper's state machine would be
                // boxed again for every send that has to wait for the socket.
                while (!buffer.IsEmpty)
                {
                    int sent;
                    if (buffer.IsSingleSegment)
                    {
                        sent = await _send.SendAsync(_socket, buffer.First).ConfigureAwait(false);
                    }
                    else
                    {
                        SetSendList(buffer);
                        try
                        {
                            sent = await _send.SendListAsync(_socket).ConfigureAwait(false);
                        }
                        finally
                        {
                            _send.BufferList = null;
                        }
                    }
                    buffer = buffer.Slice(sent);
                }
                reader.AdvanceTo(result.Buffer.End);
                if (detaching) return; // everything written before DetachAsync has been sent
                if (result.IsCompleted) break;
            }
        }
        catch (Exception e)
        {
            error = e;
        }
        // The writer's next flush reports IsCompleted rather than buffering bytes nobody will send.
        await reader.CompleteAsync(error).ConfigureAwait(false);
        if (error is not null) Abort();
    }

    /// <summary>Several segments go out in one gathered send; the list is reused.</summary>
    private void SetSendList(in ReadOnlySequence<byte> buffer)
    {
        _send.SetBuffer(null, 0, 0);
        _sendList.Clear();
        foreach (var segment in buffer)
        {
            if (!MemoryMarshal.TryGetArray(segment, out var array)) throw new InvalidOperationException("pipe memory is not array-backed");
            _sendList.Add(array);
        }
        _send.BufferList = _sendList;
    }
}
