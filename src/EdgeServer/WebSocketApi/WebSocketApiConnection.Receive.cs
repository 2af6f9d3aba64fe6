using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using EdgeServer.Protocol.WebSockets;
using EdgeServer.WebSockets;

namespace EdgeServer.WebSocketApi;

// The receive loop: frames from the client, unmasked into a pooled buffer by the protocol library's reader, each
// whole message routed and queued for its backend; pings answered, closes answered, violations closed with their code.
internal sealed partial class WebSocketApiConnection
{
    private readonly WebSocketMessageReader _reader;
    private readonly PooledMessageBuffer _message = new();
    private MessageRateLimiter _limiter;

    /// <summary>Reads until the connection ends (close, violation, end of stream, abort). Never throws.</summary>
    public async Task ReceiveAsync()
    {
        var input = _client.Input;
        try
        {
            while (true)
            {
                ReadResult read;
                try
                {
                    // Kestrel waits for data with a zero-byte receive: an idle connection holds no buffer here.
                    read = await input.ReadAsync().ConfigureAwait(false);
                }
                catch (Exception)
                {
                    return;
                }
                var buffer = read.Buffer;
                if (read.IsCanceled)
                {
                    input.AdvanceTo(buffer.Start);
                    if (Volatile.Read(ref _aborted) != 0) return;
                    // Drain or shutdown: Kestrel asked every connection to close.
                    if (_client.CloseRequested) RequestClose(WebSocketCloseCodes.GoingAway, "server shutting down");
                    continue;
                }
                if (!buffer.IsEmpty) Volatile.Write(ref _lastActive, Environment.TickCount64);

                bool ended = false, lingering = false;
                while (!ended)
                {
                    var status = _reader.Read(buffer, _message, out var consumed);
                    buffer = buffer.Slice(consumed);
                    switch (status)
                    {
                        case WebSocketReadStatus.Message:
                            OnMessage();
                            continue;
                        case WebSocketReadStatus.Ping:
                            if (IsOpen) await PongAsync().ConfigureAwait(false);
                            continue;
                        case WebSocketReadStatus.Pong:
                            continue;
                        case WebSocketReadStatus.Close:
                            await OnCloseAsync().ConfigureAwait(false);
                            ended = true;
                            break;
                        case WebSocketReadStatus.Violation:
                            await OnViolationAsync().ConfigureAwait(false);
                            ended = lingering = true;
                            break;
                    }
                    break;   // NeedMoreData
                }
                if (ended)
                {
                    input.AdvanceTo(buffer.Start);
                    // The violator may still be sending (the rest of an oversize message): see LingeringClose.
                    if (lingering) await LingeringClose.DrainAsync(input).ConfigureAwait(false);
                    return;
                }
                input.AdvanceTo(buffer.Start, buffer.End);
                if (read.IsCompleted) return;
            }
        }
        finally
        {
            _message.Release();
            Volatile.Write(ref _state, Ended);
        }
    }

    private void OnMessage()
    {
        var binary = _reader.MessageType == WebSocketOpcode.Binary;
        Route.Metrics.MessageIn(_message.Length);
        if (!IsOpen)
        {
            _message.Release();   // we are closing: nothing more goes to the backend
            return;
        }
        if (!_limiter.TryAcquire(Stopwatch.GetTimestamp()))
        {
            _message.Release();
            Route.Metrics.RateLimited();
            RequestClose(WebSocketCloseCodes.PolicyViolation, "message rate limit exceeded");
            return;
        }
        var target = Route.Select(!binary, _message.WrittenSpan);
        if (target is null)
        {
            _message.Release();
            Route.Metrics.Unrouted();
            _ = SendAsync(System.Text.Encoding.UTF8.GetBytes($"{{\"message\":\"no route for this message\",\"connectionId\":\"{Id}\"}}"), binary: false);
            return;
        }
        var (array, length) = _message.Detach();
        Enqueue(new QueuedMessage(array, length, binary, target));
    }

    private async Task PongAsync()
    {
        await _send.WaitAsync().ConfigureAwait(false);
        try
        {
            // Once a close frame is (about to be) written, nothing may follow it.
            if (!IsOpen) return;
            // The reader keeps the ping's payload until its next Read, which waits for this.
            WebSocketFrameWriter.WritePong(Output, _reader.ControlPayload, WebSocketMask.None);
            await FlushAsync().ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // The transport is gone: the next read ends the loop.
        }
        finally
        {
            _send.Release();
        }
    }

    /// <summary>The client closed: echo its code (RFC 6455 §5.5.1) unless this is the answer to our own close.</summary>
    private async Task OnCloseAsync()
    {
        var code = _reader.CloseCode;
        if (Interlocked.CompareExchange(ref _state, Closing, Open) != Open)
        {
            NoteClose(code);
            return;
        }
        await WriteCloseAsync(code == 0 ? WebSocketCloseCodes.NoStatusReceived : code, null).ConfigureAwait(false);
    }

    private async Task OnViolationAsync()
    {
        var violation = _reader.Violation;
        var code = _reader.ViolationCloseCode;
        Route.Metrics.Violation(violation);
        var reason = WebSocketViolations.Reason(violation);
        if (Interlocked.CompareExchange(ref _state, Closing, Open) != Open) return;
        CloseReason = reason;
        await WriteCloseAsync(code, reason).ConfigureAwait(false);
    }
}
