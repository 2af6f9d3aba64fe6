using System.Buffers;
using System.IO.Pipelines;
using EdgeServer.Protocol.WebSockets;
using EdgeServer.Upstream.Transport;

namespace EdgeServer.WebSockets;

// The two directions on a plain backend's own socket (DetachedSocket), after the 101: no upstream pipes and no
// upstream loops. Client to upstream sends the inspected bytes from the client's input pipe itself; upstream to
// client waits with a zero-byte receive, then receives into the client's output pipe and inspects the bytes there.
// Either way each byte is copied once less than through the upstream transport's pipes, and an idle relay holds
// no buffer and nothing of the upstream but its socket and the readiness wait.
internal sealed partial class WebSocketRelay
{
    /// <summary>
    /// The least room asked of the client's output pipe per receive: the rest of its current block when that is as
    /// much, else a new block (<see cref="BlockMemoryPool.BlockSize"/>), so receives stay large.
    /// </summary>
    private const int ReceiveHint = BlockMemoryPool.BlockSize / 2;

    /// <summary>The first bytes of a receive, before a block is rented for them (see <see cref="Receive"/>).</summary>
    private const int ProbeSize = 512;

    // Upstream bytes received but not yet consumed by the inspector: a frame header or a control frame split
    // across receives (at most 131 bytes), kept in a pooled array only while there is one.
    private byte[]? _tail;
    private int _tailLength;

    private async Task ClientToSocketAsync(DetachedSocket socket)
    {
        var source = _client.Input;
        while (true)
        {
            ReadResult read;
            try
            {
                read = await source.ReadAsync();
            }
            catch (Exception)
            {
                SourceGone(fromClient: true);
                break;
            }
            var buffer = read.Buffer;
            if (read.IsCanceled)
            {
                source.AdvanceTo(buffer.Start);
                var signal = Signals(fromClient: true);
                if (signal == RelaySignal.Stop) break;
                if (signal == RelaySignal.None) continue;
                try
                {
                    var (rest, length) = SendPing(socket);
                    if (rest is not null) await SendRestAsync(socket, rest, length);
                }
                catch (Exception)
                {
                    DestinationGone(fromClient: true);
                    break;
                }
                if (IsStopping) break;
                continue;
            }

            var status = Inspect(fromClient: true, buffer, out var consumed);
            var step = AfterInspect(fromClient: true, status, read.IsCompleted, consumed);
            // Sent before the buffer is let go: the bytes are sent from the client's pipe, not copied.
            var forward = buffer.Slice(0, consumed);
            var sent = true;
            try
            {
                while (!forward.IsEmpty)
                {
                    var segment = forward.First;
                    var n = socket.TrySend(segment.Span);
                    // What the kernel did not take at once: wait for room (a send cannot be cancelled; Abort ends it).
                    if (n < segment.Length) n += await socket.SendAsync(segment[n..]);
                    forward = forward.Slice(n);
                }
            }
            catch (Exception)
            {
                sent = false;
            }
            source.AdvanceTo(buffer.GetPosition(consumed), buffer.End);
            if (!sent)
            {
                DestinationGone(fromClient: true);
                break;
            }
            if (step == PumpStep.Stop || IsStopping) break;
        }

        try
        {
            var (rest, length) = SendOwedClose(socket);
            if (rest is not null) await SendRestAsync(socket, rest, length);
        }
        catch (Exception)
        {
            // The upstream is gone too: nothing left to tell it.
        }
    }

    private async Task SocketToClientAsync(DetachedSocket socket)
    {
        var destination = _client.Output;
        var step = ForwardReceived(socket, destination);
        var drained = true;
        while (step != PumpStep.Stop)
        {
            if (step == PumpStep.Flush)
            {
                FlushResult flushed;
                try
                {
                    flushed = await destination.FlushAsync();
                }
                catch (Exception)
                {
                    DestinationGone(fromClient: false);
                    break;
                }
                if (flushed.IsCompleted)
                {
                    DestinationGone(fromClient: false);
                    break;
                }
                if (IsStopping) break;
            }
            if (drained)
            {
                // Zero-byte wait: an idle relay holds no block of the client's pipe (it is rented below, once
                // bytes are there). The heartbeat and the stop protocol wake it without cancelling the receive.
                bool ready;
                try
                {
                    ready = await socket.WaitAsync();
                }
                catch (Exception)
                {
                    SourceGone(fromClient: false);
                    break;
                }
                if (!ready)
                {
                    step = Signals(fromClient: false) switch
                    {
                        RelaySignal.Stop => PumpStep.Stop,
                        RelaySignal.Ping => WritePing(fromClient: false, destination),
                        _ => PumpStep.ReadAgain,
                    };
                    continue;
                }
            }
            step = Receive(socket, destination, out drained);
        }
        ReleaseTail();

        WriteOwedClose(fromClient: false, destination);
        try
        {
            await destination.FlushAsync();
        }
        catch (Exception)
        {
            // The client is gone too: nothing left to tell it.
        }
    }

    /// <summary>
    /// Receives into the client's output pipe, after the tail of the previous receive; forwards what the inspector
    /// consumed (by advancing the pipe over it) and keeps the rest as the new tail.
    /// </summary>
    /// <remarks>
    /// The first bytes go to a small stack buffer, and a block of the pipe is asked for only once there are bytes:
    /// a wake can be stale (.NET ends a zero-byte receive on any readiness event, also one for bytes an earlier
    /// receive already took), and a receive after a full one can find nothing. A block rented for nothing would stay
    /// with the relay, which then waits idle; the pipe cannot give a block back that the writer asked for. Small
    /// messages take one receive as before; a burst pays one more receive per block.
    /// </remarks>
    private PumpStep Receive(DetachedSocket socket, PipeWriter destination, out bool drained)
    {
        drained = true;
        Span<byte> probe = stackalloc byte[ProbeSize];
        int probed;
        try
        {
            probed = socket.Receive(probe);
        }
        catch (Exception)
        {
            SourceGone(fromClient: false);
            return PumpStep.Stop;
        }
        if (probed < 0) return PumpStep.ReadAgain; // woken with nothing there after all
        var tail = _tailLength;
        var memory = destination.GetMemory(ReceiveHint);
        if (tail > 0) _tail.AsSpan(0, tail).CopyTo(memory.Span);
        probe[..probed].CopyTo(memory.Span[tail..]);
        var length = tail + probed;
        var ended = probed == 0;
        if (probed == ProbeSize)
        {
            int more;
            try
            {
                more = socket.Receive(memory.Span[length..]);
            }
            catch (Exception)
            {
                SourceGone(fromClient: false);
                return PumpStep.Stop;
            }
            if (more == 0) ended = true;
            if (more > 0)
            {
                length += more;
                // A full block means more is likely queued in the kernel: receive again before waiting.
                drained = length < memory.Length;
            }
        }
        var window = memory[..length];
        var status = InspectFromUpstream(new ReadOnlySequence<byte>(window), out var consumed);
        destination.Advance((int)consumed);
        var step = AfterInspect(fromClient: false, status, sourceEnded: ended, consumed);
        if (step == PumpStep.Stop) return step;
        KeepTail(new ReadOnlySequence<byte>(window[(int)consumed..]));
        return step;
    }

    /// <summary>
    /// Bytes the upstream transport had received before it was detached (frames sent right behind the 101): they
    /// go first, through the inspector and copied into the client's output pipe as on the pipe path.
    /// </summary>
    private PumpStep ForwardReceived(DetachedSocket socket, PipeWriter destination)
    {
        var received = socket.TakeReceived();
        if (received is null) return PumpStep.ReadAgain;
        try
        {
            received.TryRead(out var read);
            var buffer = read.Buffer;
            var status = InspectFromUpstream(buffer, out var consumed);
            foreach (var segment in buffer.Slice(0, consumed))
            {
                destination.Write(segment.Span);
            }
            var step = AfterInspect(fromClient: false, status, socket.EndedBeforeDetach, consumed);
            if (step != PumpStep.Stop) KeepTail(buffer.Slice(consumed));
            received.AdvanceTo(buffer.End);
            return step;
        }
        catch (Exception)
        {
            // The transport had failed (reset, abort) before the switch: its read rethrows that.
            SourceGone(fromClient: false);
            return PumpStep.Stop;
        }
        finally
        {
            received.Complete();
        }
    }

    /// <summary>
    /// Inspects upstream bytes; after a close frame the bytes behind it (pings, pongs, or a frame that breaks the
    /// rules) are judged at once rather than kept, so what is kept is never more than a split header or control frame.
    /// </summary>
    private WebSocketInspectStatus InspectFromUpstream(in ReadOnlySequence<byte> buffer, out long consumed)
    {
        var status = Inspect(fromClient: false, buffer, out consumed);
        if (status == WebSocketInspectStatus.Closed && consumed < buffer.Length && !_fromClient.IsClosed)
        {
            status = Inspect(fromClient: false, buffer.Slice(consumed), out var more);
            consumed += more;
        }
        return status;
    }

    private void KeepTail(in ReadOnlySequence<byte> rest)
    {
        if (rest.IsEmpty)
        {
            ReleaseTail();
            return;
        }
        if (_tail is null || _tail.Length < rest.Length)
        {
            ReleaseTail();
            _tail = ArrayPool<byte>.Shared.Rent((int)rest.Length);
        }
        rest.CopyTo(_tail);
        _tailLength = (int)rest.Length;
    }

    private void ReleaseTail()
    {
        if (_tail is { } tail) ArrayPool<byte>.Shared.Return(tail);
        _tail = null;
        _tailLength = 0;
    }

    /// <summary>An edge ping to the upstream; what the kernel did not take at once comes back in a pooled array.</summary>
    private static (byte[]? Unsent, int Length) SendPing(DetachedSocket socket)
    {
        Span<byte> frame = stackalloc byte[MaxOwnFrame];
        return SendNow(socket, frame[..PingFrame(fromClient: true, frame)]);
    }

    /// <summary>The close frame the upstream is owed, if any, sent as <see cref="SendPing"/> is.</summary>
    private (byte[]? Unsent, int Length) SendOwedClose(DetachedSocket socket)
    {
        Span<byte> frame = stackalloc byte[MaxOwnFrame];
        var length = OwedClose(fromClient: true, frame, out var code);
        if (length == 0) return (null, 0);
        var rest = SendNow(socket, frame[..length]);
        CountOwnClose(fromClient: true, code, length);
        return rest;
    }

    private static (byte[]? Unsent, int Length) SendNow(DetachedSocket socket, ReadOnlySpan<byte> frame)
    {
        var sent = socket.TrySend(frame);
        if (sent == frame.Length) return (null, 0);
        var rest = ArrayPool<byte>.Shared.Rent(frame.Length - sent);
        frame[sent..].CopyTo(rest);
        return (rest, frame.Length - sent);
    }

    private static async ValueTask SendRestAsync(DetachedSocket socket, byte[] rest, int length)
    {
        try
        {
            await socket.SendAsync(rest.AsMemory(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rest);
        }
    }
}
