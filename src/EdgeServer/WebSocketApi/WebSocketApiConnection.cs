using System.IO.Pipelines;
using EdgeServer.Connections;
using EdgeServer.Protocol.WebSockets;
using EdgeServer.WebSockets;
using Microsoft.AspNetCore.Connections;

namespace EdgeServer.WebSocketApi;

/// <summary>What happened to a message the edge tried to send a client.</summary>
internal enum SendResult : byte
{
    Sent,
    /// <summary>The connection is closing or gone: the client will never see it.</summary>
    Gone,
}

/// <summary>
/// One client connection of a WebSocket API, from the 101 until it ends: its id and context, the single writer
/// toward the client, and the close state. Receiving is in WebSocketApiConnection.Receive.cs, delivery to the
/// backend in WebSocketApiConnection.Delivery.cs.
/// </summary>
/// <remarks>
/// <para>
/// Writers: the receive loop (pongs, close replies), the delivery loop (two-way replies), admin pushes and the
/// registry's sweep (pings, closes) all write to the client; <see cref="_send"/> lets one at a time write a whole
/// frame and flush it. A client that stops reading blocks the flush: the sweep cuts it after
/// <see cref="SendTimeoutMs"/>, so a push never waits on it for longer.
/// </para>
/// <para>
/// Memory when idle: this object, its reader (a 125-byte control buffer) and the receive loop's suspended state
/// machine; no message buffer (rented on the first payload byte and handed to the delivery queue), no queue, no
/// delivery task, and the transport waits for data with a zero-byte read.
/// </para>
/// </remarks>
internal sealed partial class WebSocketApiConnection
{
    /// <summary>How long a client may take to answer our close frame before the connection is cut.</summary>
    public const long CloseTimeoutMs = 3_000;

    /// <summary>How long one frame may wait for the client to take it: longer and the client is not reading, so it is cut.</summary>
    public const long SendTimeoutMs = 10_000;

    private const int Open = 0, Closing = 1, Ended = 2;

    private readonly ClientConnection _client;
    private readonly SemaphoreSlim _send = new(1, 1);
    private long _lastActive;
    private long _lastPing;
    private long _writeSince;          // Environment.TickCount64 when the pending flush began; 0: none pending
    private long _closeDeadline = long.MaxValue;
    private int _state;
    private int _closeCode;
    private int _aborted;
    private long _requests;

    public WebSocketApiConnection(ClientConnection client, WebSocketApiRoute route, KeyValuePair<string, string>[] contextHeaders)
    {
        _client = client;
        Route = route;
        Id = ConnectionIds.New();
        ContextHeaders = contextHeaders;
        ConnectedAt = DateTimeOffset.UtcNow;
        ConnectedAtText = ConnectedAt.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        _lastActive = _lastPing = Environment.TickCount64;
        _reader = new WebSocketMessageReader(route.Policy.Options(WebSocketPeer.Client, perMessageDeflate: false));
        _limiter = route.Policy.NewMessageLimiter();
    }

    public string Id { get; }
    public WebSocketApiRoute Route { get; }
    public DateTimeOffset ConnectedAt { get; }
    public string ConnectedAtText { get; }
    public string ClientIp => _client.ClientIp?.ToString() ?? "unknown";
    public string? IdentitySubject => _client.Identity?.Subject;

    /// <summary>Client address, forwarding and identity headers every backend call carries (computed once at connect).</summary>
    public KeyValuePair<string, string>[] ContextHeaders { get; }

    /// <summary>When the client last sent anything (a message, a ping, a pong).</summary>
    public DateTimeOffset LastActiveAt => DateTimeOffset.UtcNow - TimeSpan.FromMilliseconds(Environment.TickCount64 - Volatile.Read(ref _lastActive));

    /// <summary>The first close code sent or received; 0: the connection ended without one.</summary>
    public ushort CloseCode => (ushort)Volatile.Read(ref _closeCode);

    /// <summary>Why the edge ended it (violation, idle, deleted, shutdown); null when the client closed.</summary>
    public string? CloseReason { get; private set; }

    public bool IsOpen => Volatile.Read(ref _state) == Open;

    /// <summary>A request id per backend call: the connection id and a sequence number.</summary>
    public string NextRequestId() => $"{Id}-{Interlocked.Increment(ref _requests)}";

    private PipeWriter Output => _client.Output;

    /// <summary>Sends one data message (a reply or a push), whole, in order with everything else written to the client.</summary>
    public async Task<SendResult> SendAsync(ReadOnlyMemory<byte> payload, bool binary)
    {
        if (!IsOpen) return SendResult.Gone;
        await _send.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!IsOpen) return SendResult.Gone;
            WebSocketFrameWriter.WriteFrame(Output, binary ? WebSocketOpcode.Binary : WebSocketOpcode.Text, true, payload.Span, WebSocketMask.None);
            return await FlushAsync().ConfigureAwait(false) ? SendResult.Sent : SendResult.Gone;
        }
        catch (InvalidOperationException)
        {
            return SendResult.Gone;   // the transport's pipe was completed under us
        }
        finally
        {
            _send.Release();
        }
    }

    /// <summary>
    /// The edge ends the connection: close frame with <paramref name="code"/> now, then the receive loop waits up to
    /// <see cref="CloseTimeoutMs"/> for the client's close. Only the first call counts.
    /// </summary>
    public void RequestClose(ushort code, string reason)
    {
        if (Interlocked.CompareExchange(ref _state, Closing, Open) != Open) return;
        CloseReason = reason;
        Volatile.Write(ref _closeDeadline, Environment.TickCount64 + CloseTimeoutMs);
        _ = WriteCloseAsync(code, reason);
    }

    /// <summary>Writes a close frame (reply or our own) under the send lock; false when the client could not take it.</summary>
    private async Task<bool> WriteCloseAsync(ushort code, string? reason)
    {
        NoteClose(code);
        await _send.WaitAsync().ConfigureAwait(false);
        try
        {
            Span<byte> text = stackalloc byte[WebSocketFrameWriter.MaxCloseReasonBytes];
            var length = 0;
            if (code != WebSocketCloseCodes.NoStatusReceived && reason is not null)
            {
                length = Math.Min(reason.Length, text.Length);
                for (var i = 0; i < length; i++) text[i] = reason[i] < 0x80 ? (byte)reason[i] : (byte)'?';
            }
            WebSocketFrameWriter.WriteClose(Output, code, text[..length], WebSocketMask.None);
            return await FlushAsync().ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
        finally
        {
            _send.Release();
        }
    }

    private async Task PingAsync()
    {
        await _send.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!IsOpen) return;
            WebSocketFrameWriter.WritePing(Output, default, WebSocketMask.None);
            await FlushAsync().ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // The transport is gone; the receive loop sees it.
        }
        finally
        {
            _send.Release();
        }
    }

    /// <summary>Flushes under the send lock, timed by the sweep; false when the client is gone.</summary>
    private async ValueTask<bool> FlushAsync()
    {
        Volatile.Write(ref _writeSince, Environment.TickCount64);
        try
        {
            var flushed = await Output.FlushAsync().ConfigureAwait(false);
            return !flushed.IsCompleted && !flushed.IsCanceled;
        }
        catch (Exception ex) when (ex is IOException or ConnectionResetException or ConnectionAbortedException or ObjectDisposedException or OperationCanceledException)
        {
            return false;
        }
        finally
        {
            Volatile.Write(ref _writeSince, 0);
        }
    }

    /// <summary>About once a second from the registry: idle timeout, pings, a client that does not read, a close not answered.</summary>
    public void OnSweep(long now)
    {
        var state = Volatile.Read(ref _state);
        if (state == Ended) return;
        var writing = Volatile.Read(ref _writeSince);
        if ((writing != 0 && now - writing > SendTimeoutMs) || (state == Closing && now > Volatile.Read(ref _closeDeadline)))
        {
            Abort(writing != 0 && now - writing > SendTimeoutMs ? "client does not read" : "close not answered");
            return;
        }
        if (state != Open) return;
        var policy = Route.Policy;
        var last = Volatile.Read(ref _lastActive);
        if (now - last >= policy.IdleTimeoutMs)
        {
            RequestClose(WebSocketCloseCodes.GoingAway, "idle timeout");
            return;
        }
        if (policy.PingIntervalMs > 0 && now - Math.Max(last, Volatile.Read(ref _lastPing)) >= policy.PingIntervalMs)
        {
            Volatile.Write(ref _lastPing, now);
            _ = PingAsync();
        }
    }

    /// <summary>Cuts the transport: the receive loop wakes and ends, a pending flush fails.</summary>
    public void Abort(string reason)
    {
        if (Interlocked.Exchange(ref _aborted, 1) != 0) return;
        CloseReason ??= reason;
        _client.Context.Abort(new ConnectionAbortedException(reason));
        _client.Input.CancelPendingRead();
        Output.CancelPendingFlush();
    }

    private void NoteClose(ushort code)
    {
        if (code != 0) Interlocked.CompareExchange(ref _closeCode, code, 0);
    }
}
