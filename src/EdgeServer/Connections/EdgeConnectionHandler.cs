using System.Diagnostics;
using EdgeServer.ApiKeys;
using EdgeServer.Config.Model;
using EdgeServer.Forwarding;
using EdgeServer.Http;
using EdgeServer.Observability;
using EdgeServer.Protocol.Http1;
using EdgeServer.Runtime;
using EdgeServer.RateLimiting;
using EdgeServer.Policy.Waf;
using EdgeServer.Policy.Waf.Evaluation;
using EdgeServer.Tls;
using EdgeServer.Waf;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;

namespace EdgeServer.Connections;

/// <summary>
/// The data path for one client connection: admit, terminate TLS when the listener has it, then per request read and parse the head, route,
/// answer from a mock or forward, log. Kestrel hands us the raw transport; its HTTP layer never runs.
/// The request loop is in EdgeConnectionHandler.Loop.cs; this file holds admission and the synchronous
/// routing, answering and logging steps it calls.
/// </summary>
internal sealed partial class EdgeConnectionHandler(
    ListenerConfig listener,
    EdgeRuntime runtime,
    TlsTerminator? tls,
    WafGate waf,
    ConnectionHeartbeat heartbeat,
    ConnectionAdmission admission,
    EdgeMetrics metrics,
    AccessLogSink? accessLog,
    ILogger logger)
{
    public async Task OnConnectedAsync(ConnectionContext context)
    {
        var snapshot = runtime.Current;
        if (!admission.TryEnter(snapshot.Config.Limits.MaxConnections))
        {
            context.Abort(new ConnectionAbortedException("connection limit reached"));
            return;
        }
        metrics.ConnectionOpened();
        TlsSession? session = null;
        ConnectionLimiter? perAddress = null;
        System.Net.IPAddress? admitted = null;
        try
        {
            // The connection ACL (IP and geo) runs before TLS: a blocked address costs no handshake.
            if (snapshot.Waf.Listener(listener.Name).Connection is { } connectionAcl && !AdmitAddress(context, connectionAcl)) return;
            // So do the per-address connection limits.
            if (snapshot.RateLimits.Connections(listener.Name) is { IsActive: true } limiter && ClientConnection.ClientAddress(context) is { } ip)
            {
                if (!Admit(limiter, ip))
                {
                    context.Abort(new ConnectionAbortedException("per-address connection limit"));
                    return;
                }
                (perAddress, admitted) = (limiter, ip);
            }
            // Admission came first: a refused connection costs no TLS work.
            if (tls is not null)
            {
                session = await tls.HandshakeAsync(context, ClientConnection.ClientIpText(context));
                if (session is null) return;
                context.Transport = session;
            }
            await ServeConnectionAsync(context, snapshot, session);
        }
        finally
        {
            if (session is not null) await tls!.EndAsync(session);
            if (perAddress is not null) Release(perAddress, admitted!);
            admission.Exit();
            metrics.ConnectionClosed();
        }
    }

    private async Task ServeConnectionAsync(ConnectionContext context, RuntimeSnapshot snapshot, TlsSession? session)
    {
        var connection = new ClientConnection(context, listener, snapshot.RequestLimits) { Tls = session };
        heartbeat.Add(connection);
        var lifetime = context.Features.Get<IConnectionLifetimeNotificationFeature>();
        using var closing = lifetime?.ConnectionClosedRequested.Register(static state => ((ClientConnection)state!).RequestClose(), connection);
        try
        {
            await ServeAsync(connection);
        }
        catch (Exception ex) when (ex is ConnectionResetException or ConnectionAbortedException or IOException or OperationCanceledException)
        {
            // The peer went away or the connection was aborted (drain, shutdown): nothing to answer.
        }
        catch (Exception ex)
        {
            LogUnexpected(logger, ex);
        }
        finally
        {
            heartbeat.Remove(connection);
            connection.Release();
        }
    }

    private static bool Admit(ConnectionLimiter limiter, System.Net.IPAddress ip)
    {
        Span<byte> bytes = stackalloc byte[16];
        return !ip.TryWriteBytes(bytes, out var length) || limiter.TryAdmit(bytes[..length]);
    }

    private static void Release(ConnectionLimiter limiter, System.Net.IPAddress ip)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (ip.TryWriteBytes(bytes, out var length)) limiter.Release(bytes[..length]);
    }

    private bool AdmitAddress(ConnectionContext context, WafAclSlot slot)
    {
        var address = ClientConnection.ClientAddress(context);
        Span<byte> bytes = stackalloc byte[16];
        if (address is null || !address.TryWriteBytes(bytes, out var length)) return true;
        if (waf.AdmitConnection(slot, bytes[..length], out var verdict)) return true;
        LogConnectionBlocked(logger, listener.Name, address.ToString(), verdict.Rule?.Name ?? "(default action)");
        context.Abort(new ConnectionAbortedException("blocked by the connection ACL"));
        return false;
    }

    /// <summary>What <see cref="Dispatch"/> decided for a request.</summary>
    private enum Dispatched
    {
        /// <summary>The answer was written (not flushed): a mock, or an error the edge answers itself.</summary>
        Answered,
        /// <summary>It goes upstream (the route entry has a cluster).</summary>
        Forward,
        /// <summary>Exact global rate limits asked Redis: await the replies, then <see cref="DispatchAfterRedis"/>.</summary>
        AwaitRedis,
    }

    /// <summary>Decides what a parsed request gets: answered here, forwarded, or waiting for Redis.</summary>
    private Dispatched Dispatch(ClientConnection connection, RuntimeSnapshot snapshot, out RouteEntry? entry, out LocalAnswer answer)
    {
        var head = connection.Head;
        AssignRequestId(connection);
        metrics.AddBytesIn(head.Length);
        entry = null;

        if (head.Method == KnownMethod.Connect)
        {
            answer = Answer(connection, 501, "CONNECT is not supported", close: true);
            return Dispatched.Answered;
        }
        // The listener's ACL sees every request, routed or not: probes for paths that do not exist are counted and blocked too.
        if (snapshot.Waf.Listener(connection.Listener.Name) is { Request: not null } listenerAcl && Blocked(connection, listenerAcl, out answer)) return Dispatched.Answered;
        var route = snapshot.Routes.Match(head.Authority, head.Path, head.Method, head.MethodBytes);
        if (route is null)
        {
            answer = Answer(connection, 404, "no route matches the request", close: head.BodyFraming != BodyFraming.None);
            return Dispatched.Answered;
        }
        entry = snapshot.Entry(route);
        if (entry.Waf.Request is not null && Blocked(connection, entry.Waf, out answer)) return Dispatched.Answered;
        if (route.CertificatePolicy is { } policy && policy.Check(connection.Identity) is { } refusal)
        {
            answer = Answer(connection, 403, refusal, close: head.BodyFraming != BodyFraming.None);
            return Dispatched.Answered;
        }
        if (entry.ApiKey is { } apiKey && ApiKeyGate.Refused(connection, runtime.ApiKeys, apiKey, out answer)) return Dispatched.Answered;
        var listenerLimits = snapshot.RateLimits.Listener(connection.Listener.Name);
        if ((listenerLimits.Length | entry.RateLimits.Length) != 0)
        {
            switch (RateLimitGate.Check(connection, listenerLimits, entry.RateLimits, entry.NameUtf8, out answer))
            {
                case RateLimitGate.Outcome.Refused: return Dispatched.Answered;
                case RateLimitGate.Outcome.AwaitRedis: return Dispatched.AwaitRedis;
            }
        }
        return AfterLimits(connection, entry, out answer);
    }

    /// <summary>The rest of <see cref="Dispatch"/> once the exact global limits' replies are in.</summary>
    private static Dispatched DispatchAfterRedis(ClientConnection connection, RouteEntry entry, out LocalAnswer answer) =>
        RateLimitGate.Complete(connection, out answer) == RateLimitGate.Outcome.Refused ? Dispatched.Answered : AfterLimits(connection, entry, out answer);

    private static Dispatched AfterLimits(ClientConnection connection, RouteEntry entry, out LocalAnswer answer)
    {
        var head = connection.Head;
        var route = entry.Route;
        if (head.ContentLength > route.MaxBodyBytes)
        {
            answer = Answer(connection, 413, "request body too large", close: true);
            return Dispatched.Answered;
        }
        if (entry.IsMock)
        {
            // A mock never reads the body: keep the connection only when there is none to skip.
            var keepAlive = head.KeepAlive && head.BodyFraming == BodyFraming.None;
            var written = entry.WriteMock(connection.Output, head.Method == KnownMethod.Head, close: !keepAlive);
            answer = new LocalAnswer(entry.MockStatus, null, written, keepAlive);
            return Dispatched.Answered;
        }
        answer = default;
        return Dispatched.Forward;
    }

    /// <summary>Runs one request ACL; true when it blocked, with the block response written.</summary>
    private bool Blocked(ClientConnection connection, WafSet set, out LocalAnswer answer)
    {
        var head = connection.Head;
        var request = new WafRequest(head, connection.ClientAddressBytes, connection.Identity, connection.WafBodyPrefix, connection.WafBodyTruncated);
        var verdict = waf.Evaluate(set, request);
        if (verdict.Rule is not null) connection.WafRule = verdict.Rule;
        if (!verdict.Blocked)
        {
            answer = default;
            return false;
        }
        // The body was not read: keep the connection only when there is none to skip. The access log names the rule.
        var close = !head.KeepAlive || head.BodyFraming != BodyFraming.None;
        var written = WafResponse.Write(connection.Output, verdict.Response ?? BlockResponse.Default, connection.RequestId, close, headOnly: head.Method == KnownMethod.Head);
        answer = new LocalAnswer(verdict.Response?.Status ?? 403, "blocked by the web ACL", written, !close);
        return true;
    }

    private static LocalAnswer Answer(ClientConnection connection, int status, string reason, bool close)
    {
        var head = connection.Head;
        close |= !head.KeepAlive;
        var written = EdgeError.Write(connection.Output, status, reason, connection.RequestId, close, headOnly: head.Method == KnownMethod.Head);
        return new LocalAnswer(status, reason, written, !close);
    }

    /// <summary>A request that could not be parsed (or timed out) gets its status and the connection closes.</summary>
    private static LocalAnswer Refuse(ClientConnection connection, HeadReadOutcome outcome)
    {
        connection.AssignRequestId();
        var (status, reason) = outcome == HeadReadOutcome.TimedOut
            ? (408, "request header timeout")
            : (HttpParseErrors.StatusCode(connection.Head.Error), HttpParseErrors.Reason(connection.Head.Error));
        var written = EdgeError.Write(connection.Output, status, reason, connection.RequestId, close: true);
        return new LocalAnswer(status, reason, written, KeepAlive: false);
    }

    /// <summary>A forward that ended before any response head went out: the edge answers with the forwarder's status.</summary>
    private static long WriteForwardError(ClientConnection connection, in ForwardResult result) =>
        EdgeError.Write(connection.Output, result.Status, result.Error ?? "error", connection.RequestId, close: !result.KeepAlive,
            headOnly: connection.Head.Method == KnownMethod.Head);

    private static void AssignRequestId(ClientConnection connection)
    {
        var head = connection.Head;
        if (connection.Listener.TrustForwardedHeaders)
        {
            var index = head.IndexOf(KnownHeader.XRequestId);
            if (index >= 0 && RequestIds.IsAcceptable(head.Value(index)))
            {
                connection.UseRequestId(head.Value(index));
                return;
            }
        }
        connection.AssignRequestId();
    }

    private void Complete(ClientConnection connection, RouteEntry? entry, int status, long bodyIn, long bytesOut,
        string? upstream, TimeSpan? upstreamLatency, string? error, long start)
    {
        (entry?.Metrics ?? metrics.Unrouted).RecordRequest(status);
        CountDeclinedUpgrade(connection);
        metrics.AddBytesIn(bodyIn);
        metrics.AddBytesOut(bytesOut);
        if (accessLog is null) return;
        // A relayed WebSocket gave its head's arrays back when it switched; what the log needs was kept.
        var relayed = connection.HeadReleasedForRelay;
        var head = relayed ? null : connection.Head;
        accessLog.Write(new AccessLogEntry
        {
            Time = DateTimeOffset.UtcNow,
            RequestId = connection.RequestId,
            ClientIp = connection.ClientIp,
            Method = relayed ? connection.RelayedMethod : head!.MethodBytes,
            Path = relayed ? connection.RelayedPath : head!.Path,
            Route = entry?.Route.Name,
            Status = status,
            BytesIn = (relayed ? connection.RelayedHeadLength : head!.Length) + bodyIn,
            BytesOut = bytesOut,
            Upstream = upstream,
            UpstreamLatency = upstreamLatency,
            TotalLatency = Stopwatch.GetElapsedTime(start),
            Error = error,
            ClientCert = connection.Identity?.Subject,
            WafRule = connection.WafRule?.Name,
            WafLabels = connection.WafRule?.LabelText,
            RateLimit = connection.RateLimitedBy,
            ApiKey = connection.ApiKey?.Name,
            WebSocketClose = status == 101 ? connection.WebSocketCloseCode : null,
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "waf: refused a connection on listener {Listener} from {ClientIp} (rule {Rule})")]
    private static partial void LogConnectionBlocked(ILogger logger, string listener, string clientIp, string rule);

    [LoggerMessage(Level = LogLevel.Error, Message = "unexpected error on a client connection")]
    private static partial void LogUnexpected(ILogger logger, Exception ex);
}
