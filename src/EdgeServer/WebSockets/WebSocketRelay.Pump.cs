using System.Diagnostics;
using System.IO.Pipelines;
using EdgeServer.Protocol.WebSockets;

namespace EdgeServer.WebSockets;

// The two directions: read, inspect, forward exactly the inspected bytes, flush; one async method per direction,
// started once per connection, with the work in the synchronous Step.
internal sealed partial class WebSocketRelay
{
    private enum PumpStep : byte
    {
        ReadAgain,
        Flush,
        Stop,
    }

    /// <summary>
    /// Relays one direction until the connection stops, then writes that direction's receiver its close frame if it
    /// is owed one. Never throws: a transport failure is an end of the connection like any other.
    /// </summary>
    public async Task PumpAsync(bool fromClient)
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
            return Signals(fromClient, destination);
        }

        ref var inspector = ref fromClient ? ref _fromClient : ref _fromUpstream;
        ref var events = ref fromClient ? ref _clientEvents : ref _upstreamEvents;
        if (!buffer.IsEmpty) Volatile.Write(ref fromClient ? ref _lastFromClient : ref _lastFromUpstream, Environment.TickCount64);
        events.Now = Stopwatch.GetTimestamp();
        var status = inspector.Inspect(buffer, ref events, out var consumed);
        if (consumed > 0)
        {
            foreach (var segment in buffer.Slice(0, consumed))
            {
                destination.Write(segment.Span);
            }
            if (fromClient) BytesFromClient += consumed;
            else BytesToClient += consumed;
        }
        _policy.Metrics.AddTraffic(fromClient, events.Frames, consumed);
        events.Frames = 0;
        NoteClose(events.CloseCode);
        source.AdvanceTo(buffer.GetPosition(consumed), buffer.End);

        if (status == WebSocketInspectStatus.Violation)
        {
            var violation = inspector.Violation;
            var code = inspector.CloseCode;
            _policy.Metrics.Violation(fromClient, violation);
            var sender = fromClient ? "client" : "upstream";
            RequestStop(code, code, $"{sender}: {WebSocketViolations.Reason(violation)}");
            return PumpStep.Stop;
        }
        if (read.IsCompleted)
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

    /// <summary>A cancelled read: stop, drain, or a ping the heartbeat asked this pump to send.</summary>
    private PumpStep Signals(bool fromClient, PipeWriter destination)
    {
        if (IsStopping) return PumpStep.Stop;
        if (_client.CloseRequested)
        {
            OnCloseRequested();
            return PumpStep.Stop;
        }
        if (Interlocked.Exchange(ref fromClient ? ref _pingUpstream : ref _pingClient, 0) == 0) return PumpStep.ReadAgain;
        // The receiver of this direction must be between frames and not yet closed for a frame of ours to fit in.
        ref readonly var seen = ref fromClient ? ref _fromClient : ref _fromUpstream;
        if (!seen.AtFrameBoundary || seen.IsClosed) return PumpStep.ReadAgain;
        var mask = fromClient ? WebSocketMask.Random() : WebSocketMask.None;
        WebSocketFrameWriter.WritePing(destination, default, mask);
        if (!fromClient) BytesToClient += WebSocketFrameWriter.GetFrameLength(0, masked: false);
        _policy.Metrics.EdgePing();
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
        // RequestStop's winner may still be writing the codes (it publishes _stopping = 1 after them).
        var spin = new SpinWait();
        while (Volatile.Read(ref _stopping) == 2) spin.SpinOnce();
        var code = fromClient ? _closeToUpstream : _closeToClient;
        if (code == 0 || Volatile.Read(ref _aborted) != 0) return false;
        ref readonly var seen = ref fromClient ? ref _fromClient : ref _fromUpstream;
        // Mid-frame (or after a text frame that turned out not to be UTF-8 was partly sent) a close frame would be read as
        // payload; after a close the receiver expects nothing more. It is then only disconnected.
        if (!seen.AtFrameBoundary || seen.ViolatingFramePartlyForwarded || seen.IsClosed) return false;
        Span<byte> reason = stackalloc byte[WebSocketFrameWriter.MaxCloseReasonBytes];
        var length = CloseReason(code, reason);
        var mask = fromClient ? WebSocketMask.Random() : WebSocketMask.None;
        try
        {
            WebSocketFrameWriter.WriteClose(destination, code, reason[..length], mask);
        }
        catch (InvalidOperationException)
        {
            return false; // the pipe was completed under us (the transport is gone)
        }
        if (!fromClient) BytesToClient += WebSocketFrameWriter.GetFrameLength(2 + length, masked: false);
        NoteClose(code);
        return true;
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
