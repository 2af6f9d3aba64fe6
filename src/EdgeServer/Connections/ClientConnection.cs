using System.Buffers.Text;
using System.IO.Pipelines;
using System.Net;
using EdgeServer.Config.Model;
using EdgeServer.Forwarding;
using EdgeServer.Protocol.Http1;
using EdgeServer.Policy.Waf;
using EdgeServer.Tls;
using Microsoft.AspNetCore.Connections;

namespace EdgeServer.Connections;

/// <summary>
/// Per-connection state reused by every request on it: the parsed head, the request id buffer, the
/// client address bytes for X-Forwarded-For, the request-body relay, and the two read deadlines the
/// heartbeat enforces.
/// </summary>
internal sealed class ClientConnection
{
    private const long NoDeadline = long.MaxValue;
    private long _clientDeadline = NoDeadline;
    private long _upstreamDeadline = NoDeadline;
    private PipeReader? _upstreamReader;
    private volatile bool _clientTimedOut;
    private volatile bool _upstreamTimedOut;
    private volatile bool _stopBody;
    private volatile bool _closeRequested;

    public ClientConnection(ConnectionContext context, ListenerConfig listener, in HttpParserLimits limits)
    {
        Context = context;
        Listener = listener;
        _head = RequestHead.CreatePooled();
        _limits = limits;
        var ip = ClientAddress(context);
        ClientIp = ip;
        ClientIpUtf8 = Encoding.ASCII.GetBytes(ip?.ToString() ?? "unknown");
        ClientAddressBytes = ip?.GetAddressBytes() ?? [];
    }

    public ConnectionContext Context { get; }

    /// <summary>Dual-stack sockets report IPv4 clients as ::ffff:a.b.c.d; logs, headers and policies want a.b.c.d.</summary>
    public static IPAddress? ClientAddress(ConnectionContext context)
    {
        var ip = (context.RemoteEndPoint as IPEndPoint)?.Address;
        return ip is { IsIPv4MappedToIPv6: true } ? ip.MapToIPv4() : ip;
    }

    public static string ClientIpText(ConnectionContext context) => ClientAddress(context)?.ToString() ?? "unknown";

    /// <summary>Null on a plain listener. Set before the first request; the transport is then its decrypted pipes.</summary>
    public TlsSession? Tls { get; init; }

    /// <summary>The verified client certificate, if the client presented one: what routes and policies check.</summary>
    public ClientIdentity? Identity => Tls?.Identity;

    /// <summary>Which identity headers requests on this connection strip and write.</summary>
    public IdentityHeaders IdentityHeaders => Tls?.Material.Headers ?? IdentityHeaders.StripOnly;
    public ListenerConfig Listener { get; }
    public PipeReader Input => Context.Transport.Input;
    public PipeWriter Output => Context.Transport.Output;
    public IPAddress? ClientIp { get; }
    public byte[] ClientIpUtf8 { get; }
    /// <summary>The peer address as 4 (IPv4, mapped ones unmapped) or 16 bytes: what IP sets and geo lookups take.</summary>
    public byte[] ClientAddressBytes { get; }

    /// <summary>The WAF rule that decided the current request (allow or block), for the access log; null when none did.</summary>
    public WafRule? WafRule { get; set; }

    /// <summary>The limit that refused this request (or, dry run, would have), for the access log.</summary>
    public string? RateLimitedBy { get; set; }

    /// <summary>Exact-mode global limit calls in flight for the current request (created on first use, reused).</summary>
    public EdgeServer.RateLimiting.Global.PendingGlobalDecisions? GlobalDecisions { get; set; }

    /// <summary>The API key this request authenticated with, if its route asks for one.</summary>
    public EdgeServer.Policy.ApiKeys.ApiKeyEntry? ApiKey { get; set; }

    /// <summary>The header that carries <see cref="ApiKey"/>'s name to the backend (null: none).</summary>
    public byte[]? ApiKeyForwardHeader { get; set; }

    /// <summary>The current request is a WebSocket handshake being forwarded under this route policy (null: it is not).</summary>
    public EdgeServer.WebSockets.WebSocketPolicy? UpgradePolicy { get; private set; }

    /// <summary>The relay running on this connection after a 101; the heartbeat drives its pings and timeouts.</summary>
    public EdgeServer.WebSockets.WebSocketRelay? WebSocket { get; set; }

    /// <summary>How the current WebSocket handshake ended, for the access log (0: no close code or not a WebSocket).</summary>
    public ushort WebSocketCloseCode { get; set; }

    /// <summary>The handshake's outcome was already counted (relayed, or refused for a bad 101).</summary>
    public bool UpgradeCounted { get; set; }

    private bool _upgradeAdmitted;
    private string? _upgradeKey;
    private byte[]? _relayedRequestLine;
    private int _relayedMethodLength;

    /// <summary>
    /// A relayed WebSocket keeps the connection for as long as it lasts: the request head's arrays (~40 KiB) go back to
    /// their pool now, keeping only what the access log needs when the connection ends.
    /// </summary>
    public void ReleaseHeadForRelay()
    {
        var head = _head;
        var method = head.MethodBytes;
        var path = head.Path;
        var kept = new byte[method.Length + path.Length];
        method.CopyTo(kept);
        path.CopyTo(kept.AsSpan(method.Length));
        (_relayedRequestLine, _relayedMethodLength, RelayedHeadLength) = (kept, method.Length, head.Length);
        _head.ReturnArrays();
    }

    /// <summary>After <see cref="ReleaseHeadForRelay"/>: the request's method, path and head length, for the log; else null.</summary>
    public ReadOnlySpan<byte> RelayedMethod => _relayedRequestLine.AsSpan(0, _relayedMethodLength);
    public ReadOnlySpan<byte> RelayedPath => _relayedRequestLine.AsSpan(_relayedMethodLength);
    public bool HeadReleasedForRelay => _relayedRequestLine is not null;
    public int RelayedHeadLength { get; private set; }

    /// <summary>
    /// A WebSocket handshake is forwarded; <paramref name="admitted"/>: it holds a slot of the route's per-address
    /// limit; <paramref name="key"/>: the identity whose per-key slot it holds (null: none).
    /// </summary>
    public void BeginUpgrade(EdgeServer.WebSockets.WebSocketPolicy policy, bool admitted, string? key)
    {
        UpgradePolicy = policy;
        _upgradeAdmitted = admitted;
        _upgradeKey = key;
    }

    /// <summary>
    /// Gives back the per-address and per-key slots as soon as the relay ends, before its close is counted: whoever
    /// sees the open gauge drop may open the next connection at once (EndRequest comes only after the access log line).
    /// </summary>
    public void ReleaseUpgradeSlot()
    {
        if (UpgradePolicy is { } upgrade)
        {
            if (_upgradeAdmitted) upgrade.ReleaseAddress(ClientAddressBytes);
            upgrade.ReleaseKey(_upgradeKey);
        }
        _upgradeAdmitted = false;
        _upgradeKey = null;
    }

    /// <summary>The first bytes of the current request's body, read ahead for WAF Body fields (rented; returned by EndRequest).</summary>
    public byte[]? WafBody { get; private set; }
    public int WafBodyLength { get; private set; }
    /// <summary>The body is longer than what was read ahead, or could not be read ahead (chunked, 100-continue).</summary>
    public bool WafBodyTruncated { get; set; }

    public ReadOnlySpan<byte> WafBodyPrefix => WafBody is null ? default : WafBody.AsSpan(0, WafBodyLength);

    public void SetWafBody(System.Buffers.ReadOnlySequence<byte> prefix, bool truncated)
    {
        WafBody ??= System.Buffers.ArrayPool<byte>.Shared.Rent((int)prefix.Length);
        if (WafBody.Length < prefix.Length)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(WafBody);
            WafBody = System.Buffers.ArrayPool<byte>.Shared.Rent((int)prefix.Length);
        }
        prefix.CopyTo(WafBody);
        WafBodyLength = (int)prefix.Length;
        WafBodyTruncated = truncated;
    }
    private readonly RequestHead _head;
    private HttpParserLimits _limits;

    /// <summary>
    /// The current request's head. Its ~40 KiB of arrays are rented on first use and given back by
    /// <see cref="EndRequest"/>, so an idle keep-alive connection holds none.
    /// </summary>
    public RequestHead Head
    {
        get
        {
            if (!_head.HasArrays) _head.RentArrays(_limits);
            return _head;
        }
    }

    /// <summary>Holds the current request's id: either ours or a trusted client's.</summary>
    public byte[] RequestIdBuffer { get; } = new byte[128];
    public int RequestIdLength { get; set; }
    public ReadOnlySpan<byte> RequestId => RequestIdBuffer.AsSpan(0, RequestIdLength);

    public bool ClientTimedOut => _clientTimedOut;

    /// <summary>The server is stopping: finish the current request, then close instead of waiting for the next.</summary>
    public bool CloseRequested => _closeRequested;
    public bool UpstreamTimedOut => _upstreamTimedOut;
    public bool BodyStopRequested => _stopBody;

    /// <summary>The limits the next head is rented for; arrays already held are replaced when a reload raised them.</summary>
    public void EnsureHeadCapacity(in HttpParserLimits limits)
    {
        _limits = limits;
        if (_head.HasArrays) _head.RentArrays(limits);
    }

    /// <summary>The request is over (answered and logged): its head's arrays and any body read-ahead go back to their pools.</summary>
    public void EndRequest()
    {
        _head.ReturnArrays();
        WafRule = null;
        RateLimitedBy = null;
        GlobalDecisions?.Clear();
        ApiKey = null;
        ApiKeyForwardHeader = null;
        if (UpgradePolicy is { } upgrade)
        {
            if (_upgradeAdmitted) upgrade.ReleaseAddress(ClientAddressBytes);
            upgrade.ReleaseKey(_upgradeKey);
            UpgradePolicy = null;
            _upgradeAdmitted = false;
            _upgradeKey = null;
            UpgradeCounted = false;
            WebSocketCloseCode = 0;
            _relayedRequestLine = null;
        }
        WafBodyTruncated = false;
        WafBodyLength = 0;
        if (WafBody is { } body)
        {
            WafBody = null;
            System.Buffers.ArrayPool<byte>.Shared.Return(body);
        }
    }

    /// <summary>The connection is over.</summary>
    public void Release() => EndRequest();

    public void ArmClientTimeout(long timeoutMs)
    {
        _clientTimedOut = false;
        Volatile.Write(ref _clientDeadline, Environment.TickCount64 + timeoutMs);
    }

    public void DisarmClientTimeout() => Volatile.Write(ref _clientDeadline, NoDeadline);

    public void ArmUpstreamTimeout(PipeReader reader, long timeoutMs)
    {
        _upstreamTimedOut = false;
        _upstreamReader = reader;
        Volatile.Write(ref _upstreamDeadline, Environment.TickCount64 + timeoutMs);
    }

    public void DisarmUpstreamTimeout()
    {
        Volatile.Write(ref _upstreamDeadline, NoDeadline);
        _upstreamReader = null;
    }

    /// <summary>Stops a request-body relay that is no longer wanted (the response already finished).</summary>
    public void StopBody()
    {
        _stopBody = true;
        Input.CancelPendingRead();
    }

    public void ResetBodyStop() => _stopBody = false;

    private RequestBodyRelay? _bodyRelay;

    /// <summary>This connection's request-body relay: created with its first body, reused for every later one.</summary>
    public RequestBodyRelay BodyRelay => _bodyRelay ??= new RequestBodyRelay(this);

    /// <summary>
    /// Kestrel asks every connection to close when the server stops. An idle keep-alive connection is
    /// woken and closes at once instead of holding shutdown for its whole timeout; a busy one finishes
    /// its request first.
    /// </summary>
    public void RequestClose()
    {
        _closeRequested = true;
        Input.CancelPendingRead();
        WebSocket?.OnCloseRequested();
    }

    /// <summary>Called by the heartbeat about once a second: expired deadlines cancel the pending read.</summary>
    public void OnHeartbeat(long now)
    {
        WebSocket?.OnHeartbeat(now);
        if (now > Volatile.Read(ref _clientDeadline))
        {
            Volatile.Write(ref _clientDeadline, NoDeadline);
            _clientTimedOut = true;
            Input.CancelPendingRead();
        }
        if (now > Volatile.Read(ref _upstreamDeadline))
        {
            Volatile.Write(ref _upstreamDeadline, NoDeadline);
            _upstreamTimedOut = true;
            _upstreamReader?.CancelPendingRead();
        }
    }

    private static readonly byte[] s_processPrefix = CreatePrefix();
    private static long s_requestCounter;

    /// <summary>A process-unique id: 8 random hex digits for this process, then a 16-digit counter.</summary>
    public void AssignRequestId()
    {
        var id = Interlocked.Increment(ref s_requestCounter);
        s_processPrefix.CopyTo(RequestIdBuffer, 0);
        Utf8Formatter.TryFormat(id, RequestIdBuffer.AsSpan(s_processPrefix.Length), out var n, new StandardFormat('x', 16));
        RequestIdLength = s_processPrefix.Length + n;
    }

    public void UseRequestId(ReadOnlySpan<byte> id)
    {
        id.CopyTo(RequestIdBuffer);
        RequestIdLength = id.Length;
    }

    private static byte[] CreatePrefix()
    {
        Span<byte> random = stackalloc byte[4];
        System.Security.Cryptography.RandomNumberGenerator.Fill(random);
        return Encoding.ASCII.GetBytes(Convert.ToHexStringLower(random) + "-");
    }
}
