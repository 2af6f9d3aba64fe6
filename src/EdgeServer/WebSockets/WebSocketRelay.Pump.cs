using System.Diagnostics;
using System.IO.Pipelines;
using EdgeServer.Protocol.WebSockets;

namespace EdgeServer.WebSockets;

// The two directions: read, inspect, forward exactly the inspected bytes, flush; one async method per direction,
// started once per connection, with the work in synchronous steps shared by both paths. This file has those steps
// and the pipe path (a TLS backend: the upstream transport's pipes); WebSocketRelay.Straight.cs has the socket path.
internal sealed partial class WebSocketRelay
{
    private enum PumpStep : byte
    {
        ReadAgain,
        Flush,
        Stop,
    }

    private enum RelaySignal : byte
    {
        None,
        Ping,
        Stop,
    }

    /// <summary>The longest control frame the edge writes: a masked close with the longest reason.</summary>
    private const int MaxOwnFrame = 6 + 2 + WebSocketFrameWriter.MaxCloseReasonBytes;

    /// <summary>
    /// Relays one direction until the connection stops, then writes that direction's receiver its close frame if it
    /// is owed one. Never throws: a transport failure is an end of the connection like any other.
    /// </summary>
    public Task PumpAsync(bool fromClient) =>
        _socket is not { } socket ? PipePumpAsync(fromClient)
        : fromClient ? ClientToSocketAsync(socket)
        : SocketToClientAsync(socket);

    private async Task PipePumpAsync(bool fromClient)
    {
        var source = Source(fromClient);
        var destination = Destination(fromClient);
        while (true)
        {
            ReadResult read;
            try
            {
                read = await source.ReadAsync();
            }
            catch (Exception)
            {
                SourceGone(fromClient);
                break;
            }
            var step = Step(fromClient, read, source, destination);
            if (step == PumpStep.Stop) break;
            if (step == PumpStep.ReadAgain) continue;
            FlushResult flushed;
            try
            {
                flushed = await destination.FlushAsync();
            }
            catch (Exception)
            {
                DestinationGone(fromClient);
                break;
            }
            if (flushed.IsCompleted)
            {
                DestinationGone(fromClient);
                break;
            }
            if (IsStopping) break;
        }

        // What the last step wrote (the frames before a violation, a close before the end of the stream) goes out
        // with our own close frame, if the receiver is owed one.
        WriteOwedClose(fromClient, destination);
        try
        {
            await destination.FlushAsync();
        }
        catch (Exception)
        {
            // The receiver is gone too: nothing left to tell it.
        }
    }

    private PumpStep Step(bool fromClient, in ReadResult read, PipeReader source, PipeWriter destination)
    {
        var buffer = read.Buffer;
        if (read.IsCanceled)
        {
            source.AdvanceTo(buffer.Start);
            return Signals(fromClient) switch
            {
                RelaySignal.Stop => PumpStep.Stop,
                RelaySignal.Ping => WritePing(fromClient, destination),
                _ => PumpStep.ReadAgain,
            };
        }

        var status = Inspect(fromClient, buffer, out var consumed);
        if (consumed > 0)
        {
            foreach (var segment in buffer.Slice(0, consumed))
            {
                destination.Write(segment.Span);
            }
        }
        source.AdvanceTo(buffer.GetPosition(consumed), buffer.End);
        return AfterInspect(fromClient, status, read.IsCompleted, consumed);
    }

    /// <summary>Inspects what the sender sent: activity time, counters and metrics; the caller forwards the consumed bytes.</summary>
    private WebSocketInspectStatus Inspect(bool fromClient, in ReadOnlySequence<byte> buffer, out long consumed)
    {
        ref var inspector = ref fromClient ? ref _fromClient : ref _fromUpstream;
        ref var events = ref fromClient ? ref _clientEvents : ref _upstreamEvents;
        if (!buffer.IsEmpty) Volatile.Write(ref fromClient ? ref _lastFromClient : ref _lastFromUpstream, Environment.TickCount64);
        events.Now = Stopwatch.GetTimestamp();
        var status = inspector.Inspect(buffer, ref events, out consumed);
        if (fromClient) BytesFromClient += consumed;
        else BytesToClient += consumed;
        _policy.Metrics.AddTraffic(fromClient, events.Frames, consumed);
        events.Frames = 0;
        NoteClose(events.CloseCode);
        return status;
    }

    /// <summary>What comes after forwarding an inspection's consumed bytes: a violation, the sender's end, the end of the close handshake.</summary>
    private PumpStep AfterInspect(bool fromClient, WebSocketInspectStatus status, bool sourceEnded, long consumed)
    {
        if (status == WebSocketInspectStatus.Violation)
        {
            ref readonly var inspector = ref fromClient ? ref _fromClient : ref _fromUpstream;
            var violation = inspector.Violation;
            var code = inspector.CloseCode;
            _policy.Metrics.Violation(fromClient, violation);
            var sender = fromClient ? "client" : "upstream";
            RequestStop(code, code, $"{sender}: {WebSocketViolations.Reason(violation)}");
            return PumpStep.Stop;
        }
        if (sourceEnded)
        {
            SourceGone(fromClient);
            return PumpStep.Stop;
        }
        if (status == WebSocketInspectStatus.Closed && (fromClient ? _fromUpstream.IsClosed : _fromClient.IsClosed))
        {
            // Both close frames have gone through: the close handshake is over, the TCP connections can end now
            // (RFC 6455 §7.1.1: the server closes first; toward the client, the edge is the server).
            RequestStop(0, 0, null);
            return PumpStep.Stop;
        }
        if (IsStopping) return PumpStep.Stop;
        return consumed > 0 ? PumpStep.Flush : PumpStep.ReadAgain;
    }

    /// <summary>A woken pump: stop, drain, or a ping the heartbeat asked this pump to send (counted here).</summary>
    private RelaySignal Signals(bool fromClient)
    {
        if (IsStopping) return RelaySignal.Stop;
        if (_client.CloseRequested)
        {
            OnCloseRequested();
            return RelaySignal.Stop;
        }
        if (Interlocked.Exchange(ref fromClient ? ref _pingUpstream : ref _pingClient, 0) == 0) return RelaySignal.None;
        // The receiver of this direction must be between frames and not yet closed for a frame of ours to fit in.
        ref readonly var seen = ref fromClient ? ref _fromClient : ref _fromUpstream;
        if (!seen.AtFrameBoundary || seen.IsClosed) return RelaySignal.None;
        if (!fromClient) BytesToClient += WebSocketFrameWriter.GetFrameLength(0, masked: false);
        _policy.Metrics.EdgePing();
        return RelaySignal.Ping;
    }

    /// <summary>An edge ping, masked toward the upstream (the edge is its client there).</summary>
    private static int PingFrame(bool fromClient, Span<byte> frame) =>
        WebSocketFrameWriter.WriteFrame(frame, WebSocketOpcode.Ping, fin: true, default, fromClient ? WebSocketMask.Random() : WebSocketMask.None);

    private static PumpStep WritePing(bool fromClient, PipeWriter destination)
    {
        Span<byte> frame = stackalloc byte[MaxOwnFrame];
        destination.Write(frame[..PingFrame(fromClient, frame)]);
        return PumpStep.Flush;
    }

    /// <summary>The sender ended its stream (or it failed): the other side is told 1001 unless it already got a close.</summary>
    private void SourceGone(bool fromClient)
    {
        if (fromClient)
        {
            RequestStop(0, _fromClient.IsClosed ? (ushort)0 : WebSocketCloseCodes.GoingAway, null);
        }
        else
        {
            RequestStop(_fromUpstream.IsClosed ? (ushort)0 : WebSocketCloseCodes.GoingAway, 0, null);
        }
    }

    /// <summary>The receiver stopped taking bytes: it gets nothing more, the other side is told 1001.</summary>
    private void DestinationGone(bool fromClient)
    {
        if (fromClient)
        {
            RequestStop(_fromUpstream.IsClosed ? (ushort)0 : WebSocketCloseCodes.GoingAway, 0, null);
        }
        else
        {
            RequestStop(0, _fromClient.IsClosed ? (ushort)0 : WebSocketCloseCodes.GoingAway, null);
        }
    }

    /// <summary>Writes this direction's receiver the close frame <see cref="RequestStop"/> decided, if it can take one.</summary>
    private bool WriteOwedClose(bool fromClient, PipeWriter destination)
    {
        Span<byte> frame = stackalloc byte[MaxOwnFrame];
        var length = OwedClose(fromClient, frame, out var code);
        if (length == 0) return false;
        try
        {
            destination.Write(frame[..length]);
        }
        catch (InvalidOperationException)
        {
            return false; // the pipe was completed under us (the transport is gone)
        }
        CountOwnClose(fromClient, code, length);
        return true;
    }

    /// <summary>
    /// The close frame this direction's receiver is owed once the connection stops, in <paramref name="frame"/>
    /// (<see cref="MaxOwnFrame"/> bytes); 0 when it gets none.
    /// </summary>
    private int OwedClose(bool fromClient, Span<byte> frame, out ushort code)
    {
        // RequestStop's winner may still be writing the codes (it publishes _stopping = 1 after them).
        var spin = new SpinWait();
        while (Volatile.Read(ref _stopping) == 2) spin.SpinOnce();
        code = fromClient ? _closeToUpstream : _closeToClient;
        if (code == 0 || Volatile.Read(ref _aborted) != 0) return 0;
        ref readonly var seen = ref fromClient ? ref _fromClient : ref _fromUpstream;
        // Mid-frame (or after a text frame that turned out not to be UTF-8 was partly sent) a close frame would be read as
        // payload; after a close the receiver expects nothing more. It is then only disconnected.
        if (!seen.AtFrameBoundary || seen.ViolatingFramePartlyForwarded || seen.IsClosed) return 0;
        Span<byte> reason = stackalloc byte[WebSocketFrameWriter.MaxCloseReasonBytes];
        var length = CloseReason(code, reason);
        var mask = fromClient ? WebSocketMask.Random() : WebSocketMask.None;
        return WebSocketFrameWriter.WriteClose(frame, code, reason[..length], mask);
    }

    private void CountOwnClose(bool fromClient, ushort code, int frameLength)
    {
        if (!fromClient) BytesToClient += frameLength;
        NoteClose(code);
    }

    /// <summary>The close reason: why the edge ended it, ASCII, cut to what a close frame holds.</summary>
    private int CloseReason(ushort code, Span<byte> reason)
    {
        var text = Error ?? (code == WebSocketCloseCodes.GoingAway ? "peer closed the connection" : "");
        var n = Math.Min(text.Length, reason.Length);
        for (var i = 0; i < n; i++) reason[i] = text[i] < 0x80 ? (byte)text[i] : (byte)'?';
        return n;
    }
}
