using System.IO.Pipelines;
using EdgeServer.Connections;
using EdgeServer.Protocol.WebSockets;
using EdgeServer.Upstream;
using EdgeServer.Upstream.Transport;
using Microsoft.AspNetCore.Connections;

namespace EdgeServer.WebSockets;

/// <summary>
/// One relayed WebSocket connection after the 101: the two directions' inspectors and counters, activity times for
/// idle detection and edge pings, and the stop protocol shared by both pumps (WebSocketRelay.Pump.cs).
/// </summary>
/// <remarks>
/// <para>
/// Each direction is one pump that reads its source pipe and alone writes its destination pipe, so nothing else
/// ever writes there: the heartbeat (idle pings, idle timeout, the close deadline) and the other pump only set a
/// flag and cancel the pending read (and flush), and the owning pump does the writing when it wakes.
/// </para>
/// <para>
/// Stopping: whoever decides the connection ends (a violation, an end of stream, an idle timeout, drain) calls
/// <see cref="RequestStop"/> with the close code each side should get. Each pump then writes its side's close frame
/// if that side has not already been sent one and has seen only whole frames, flushes, and ends. A peer that does
/// not read gets <see cref="CloseTimeoutMs"/> before both transports are aborted.
/// </para>
/// <para>
/// A plain-TCP backend's socket is taken over after the 101 (<see cref="DetachedSocket"/>): the pumps then read and
/// write it directly (WebSocketRelay.Straight.cs), with no upstream pipes or loops, receiving into the client's
/// output pipe and sending from the client's input pipe. A TLS backend keeps its transport's pipes (WebSocketRelay.Pump.cs).
/// </para>
/// <para>
/// Memory: an idle relay holds this object and the two pumps' suspended state machines; no buffer (the client's
/// transport and the upstream socket, or the TLS backend's transport, wait for data with zero-byte receives).
/// </para>
/// </remarks>
internal sealed partial class WebSocketRelay
{
    /// <summary>How long a side may take to accept our close frame before the connection is cut (within the host's 10 s shutdown).</summary>
    public const long CloseTimeoutMs = 3_000;

    private readonly ClientConnection _client;
    private readonly UpstreamConnection _upstream;
    private readonly DetachedSocket? _socket; // the straight path; null: the upstream transport's pipes
    private readonly WebSocketPolicy _policy;
    private WebSocketFrameInspector _fromClient;
    private WebSocketFrameInspector _fromUpstream;
    private RelayFrameEvents _clientEvents;
    private RelayFrameEvents _upstreamEvents;

    private long _lastFromClient;      // Environment.TickCount64 of the last bytes received
    private long _lastFromUpstream;
    private long _lastPingToClient;
    private long _lastPingToUpstream;
    private int _pingClient;           // 1: the pump writing to that side owes it a ping
    private int _pingUpstream;

    private int _stopping;
    private long _stopDeadline = long.MaxValue;
    private int _aborted;
    private ushort _closeToClient;     // written once by RequestStop's winner before _stopping is published
    private ushort _closeToUpstream;
    private int _closeCode;            // first close code seen or sent, for the log and metrics
    private string? _error;

    /// <param name="socket">The upstream socket when it was detached from its transport (plain TCP); null to relay on the transport's pipes.</param>
    public WebSocketRelay(ClientConnection client, UpstreamConnection upstream, DetachedSocket? socket, WebSocketPolicy policy, bool perMessageDeflate)
    {
        _client = client;
        _upstream = upstream;
        _socket = socket;
        _policy = policy;
        _fromClient = new WebSocketFrameInspector(policy.Options(WebSocketPeer.Client, perMessageDeflate));
        _fromUpstream = new WebSocketFrameInspector(policy.Options(WebSocketPeer.Server, perMessageDeflate));
        _clientEvents.Limiter = policy.NewMessageLimiter();
        var now = Environment.TickCount64;
        _lastFromClient = _lastFromUpstream = _lastPingToClient = _lastPingToUpstream = now;
    }

    /// <summary>Bytes relayed from the client to the upstream (whole frames as sent).</summary>
    public long BytesFromClient { get; private set; }

    /// <summary>Bytes relayed from the upstream to the client, plus the edge's own ping and close frames to it.</summary>
    public long BytesToClient { get; private set; }

    /// <summary>The first close code either side sent or the edge sent; 0 when the connection ended without one.</summary>
    public ushort CloseCode => (ushort)Volatile.Read(ref _closeCode);

    /// <summary>Why the edge ended the connection (violation, idle timeout, shutdown); null when a peer ended it.</summary>
    public string? Error => Volatile.Read(ref _error);

    public bool IsStopping => Volatile.Read(ref _stopping) != 0;

    /// <summary>
    /// Ends the connection: <paramref name="toClient"/> and <paramref name="toUpstream"/> are the close codes each side
    /// gets (0: none, e.g. that side is gone). Only the first call counts; it wakes both pumps.
    /// </summary>
    public void RequestStop(ushort toClient, ushort toUpstream, string? error)
    {
        if (Interlocked.CompareExchange(ref _stopping, 2, 0) != 0) return;
        _closeToClient = toClient;
        _closeToUpstream = toUpstream;
        if (error is not null) Volatile.Write(ref _error, error);
        Volatile.Write(ref _stopDeadline, Environment.TickCount64 + CloseTimeoutMs);
        Volatile.Write(ref _stopping, 1);
        Wake();
    }

    /// <summary>Called by the connection heartbeat about once a second: idle pings, idle timeout, the close deadline.</summary>
    public void OnHeartbeat(long now)
    {
        var stopping = Volatile.Read(ref _stopping);
        if (stopping != 0)
        {
            if (stopping == 1 && now > Volatile.Read(ref _stopDeadline)) Abort();
            return;
        }
        var fromClient = Volatile.Read(ref _lastFromClient);
        var fromUpstream = Volatile.Read(ref _lastFromUpstream);
        if (now - fromClient >= _policy.IdleTimeoutMs || now - fromUpstream >= _policy.IdleTimeoutMs)
        {
            var who = now - fromClient >= _policy.IdleTimeoutMs ? "client" : "upstream";
            RequestStop(WebSocketCloseCodes.GoingAway, WebSocketCloseCodes.GoingAway, $"idle timeout ({who} silent)");
            return;
        }
        var ping = _policy.PingIntervalMs;
        if (ping <= 0) return;
        if (now - Math.Max(fromClient, Volatile.Read(ref _lastPingToClient)) >= ping)
        {
            Volatile.Write(ref _lastPingToClient, now);
            Volatile.Write(ref _pingClient, 1);
            WakeUpstreamReader();   // the upstream-to-client pump writes to the client
        }
        if (now - Math.Max(fromUpstream, Volatile.Read(ref _lastPingToUpstream)) >= ping)
        {
            Volatile.Write(ref _lastPingToUpstream, now);
            Volatile.Write(ref _pingUpstream, 1);
            PipeWake.CancelRead(_client.Input);
        }
    }

    /// <summary>Drain or shutdown (Kestrel asks every connection to close): close 1001 to both sides.</summary>
    public void OnCloseRequested() =>
        RequestStop(WebSocketCloseCodes.GoingAway, WebSocketCloseCodes.GoingAway, "server shutting down");

    private void Wake()
    {
        // Readers first: a pump parked on a read runs on from here (inline) and writes its close before the flushes
        // are cancelled; a flush cancelled while none is pending cancels the next one, and on a TLS listener that
        // one would lose an encrypted record (the client then fails the connection with a bad record MAC).
        PipeWake.CancelRead(_client.Input);
        WakeUpstreamReader();
        PipeWake.CancelFlush(_client.Output);
        // A send straight on the socket cannot be cancelled: it ends when the upstream takes the bytes or at Abort.
        if (_socket is null) PipeWake.CancelFlush(_upstream.Output);
    }


    private void WakeUpstreamReader()
    {
        if (_socket is { } socket) socket.Wake();
        else PipeWake.CancelRead(_upstream.Input);
    }

    /// <summary>A side that will not take our close frame: cut both transports so the pumps end.</summary>
    private void Abort()
    {
        if (Interlocked.Exchange(ref _aborted, 1) != 0) return;
        _upstream.Abort();
        _client.Context.Abort(new ConnectionAbortedException("WebSocket close timed out"));
        Wake();
    }

    private void NoteClose(ushort code)
    {
        if (code != 0) Interlocked.CompareExchange(ref _closeCode, code, 0);
    }

    private PipeReader Source(bool fromClient) => fromClient ? _client.Input : _upstream.Input;

    private PipeWriter Destination(bool fromClient) => fromClient ? _upstream.Output : _client.Output;
}
