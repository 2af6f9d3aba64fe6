using EdgeServer.Forwarding;
using EdgeServer.Http;
using EdgeServer.Protocol.Http1;
using EdgeServer.Protocol.WebSockets;
using EdgeServer.Runtime;
using EdgeServer.Upstream;
using EdgeServer.Upstream.Transport;
using EdgeServer.WebSockets;

namespace EdgeServer.Connections;

/// <summary>
/// Upgrades: the two steps the request loop calls around a forward. Before it, a WebSocket handshake is judged
/// (route enabled, RFC 6455 request rules, per-address and per-key limits) and any other upgrade is forwarded as plain HTTP;
/// after a 101, the backend's answer is verified and the connection becomes a relay (WebSockets/WebSocketRelay)
/// until either side ends it. An upgraded connection never serves another request.
/// </summary>
internal sealed partial class EdgeConnectionHandler
{
    /// <summary>
    /// True when the request was answered here (400, 426, 429; written, not flushed). False: forward it, as a
    /// WebSocket handshake when <see cref="ClientConnection.UpgradePolicy"/> was set.
    /// </summary>
    private bool RefusedUpgrade(ClientConnection connection, RouteEntry entry, out LocalAnswer answer)
    {
        answer = default;
        var head = connection.Head;
        if (!WebSocketHandshake.IsWebSocketRequest(head))
        {
            // h2c and every other upgrade: the hop-by-hop Upgrade and Connection fields are dropped, so the backend
            // sees a plain request and answers it as one (RFC 9110 §7.8 lets a server ignore Upgrade).
            if (head.ConnectionUpgrade && head.IndexOf(KnownHeader.Upgrade) >= 0) runtime.WebSockets.MetricsFor(entry.Route.Name).Refused(WebSocketRefusal.OtherProtocol);
            return false;
        }
        var policy = entry.WebSocket;
        if (policy is null)
        {
            runtime.WebSockets.MetricsFor(entry.Route.Name).Refused(WebSocketRefusal.NotEnabled);
            answer = Answer(connection, 400, "WebSocket is not enabled on this route", close: true);
            return true;
        }
        var error = WebSocketHandshake.ValidateRequest(head, out _);
        if (error != WebSocketHandshakeError.None)
        {
            var status = WebSocketHandshakeErrors.StatusCode(error);
            policy.Metrics.Refused(status == 426 ? WebSocketRefusal.UnsupportedVersion : WebSocketRefusal.BadHandshake);
            var reason = WebSocketHandshakeErrors.Reason(error);
            answer = status == 426 ? UpgradeRequired(connection, reason) : Answer(connection, status, reason, close: true);
            return true;
        }
        if (head.BodyFraming != BodyFraming.None)
        {
            // RFC 6455 §4.1 handshakes are body-less GETs; bytes after the head would be taken for frames.
            policy.Metrics.Refused(WebSocketRefusal.BadHandshake);
            answer = Answer(connection, 400, "a WebSocket handshake has no body", close: true);
            return true;
        }
        var limited = policy.Config.MaxConnectionsPerIp is not null;
        if (limited && !policy.TryAdmitAddress(connection.ClientAddressBytes))
        {
            policy.Metrics.Refused(WebSocketRefusal.PerIpLimit);
            connection.RateLimitedBy = "websocket.maxConnectionsPerIp";
            answer = ConnectionLimitAnswer(connection, "too many WebSocket connections from this address", "per_ip_limit"u8);
            return true;
        }
        if (!policy.TryAdmitKey(connection, out var key))
        {
            if (limited) policy.ReleaseAddress(connection.ClientAddressBytes);
            policy.Metrics.Refused(WebSocketRefusal.PerKeyLimit);
            connection.RateLimitedBy = "websocket.maxConnectionsPerKey";
            answer = ConnectionLimitAnswer(connection, PerKeyError(connection), "per_key_limit"u8);
            return true;
        }
        connection.BeginUpgrade(policy, admitted: limited, key);
        return false;
    }

    private static string PerKeyError(ClientConnection connection) => connection.ApiKey is null
        ? "too many WebSocket connections for this client certificate"
        : "too many WebSocket connections for this API key";

    /// <summary>429 for a connection limit, the limit named in the body's "reason" (per_ip_limit, per_key_limit) so a client can tell them apart.</summary>
    private static LocalAnswer ConnectionLimitAnswer(ClientConnection connection, string error, ReadOnlySpan<byte> code)
    {
        var written = EdgeError.Write(connection.Output, 429, error, code, connection.RequestId, close: true, headOnly: connection.Head.Method == KnownMethod.Head);
        return new LocalAnswer(429, error, written, KeepAlive: false);
    }

    /// <summary>426 with the version the edge speaks (RFC 6455 §4.4).</summary>
    private static LocalAnswer UpgradeRequired(ClientConnection connection, string reason)
    {
        Span<byte> body = stackalloc byte[256];
        var n = 0;
        EdgeError.Append(body, ref n, "{\"status\":426,\"error\":\""u8);
        n += Encoding.ASCII.GetBytes(reason, body[n..]);
        EdgeError.Append(body, ref n, "\",\"request_id\":\""u8);
        EdgeError.AppendJsonSafe(body, ref n, connection.RequestId[..Math.Min(connection.RequestId.Length, 128)]);
        EdgeError.Append(body, ref n, "\"}\n"u8);
        var written = EdgeError.WriteJson(connection.Output, 426, WebSocketHandshake.VersionHeaderLine, body[..n], connection.RequestId, close: true, headOnly: false);
        return new LocalAnswer(426, reason, written, KeepAlive: false);
    }

    /// <summary>
    /// The backend answered 101 to a forwarded WebSocket handshake: verify it (a bad one is 502 and both connections
    /// close: false, with <paramref name="result"/> to answer) or write it to the client (not flushed; its length is
    /// in <paramref name="result"/>'s BytesOut). The relay itself then runs in the request loop (ServeAsync), between
    /// <see cref="StartRelay"/> and <see cref="EndRelay"/>: one state machine less held by every idle relay.
    /// </summary>
    private static bool AcceptWebSocket(ClientConnection connection, Destination destination, UpstreamConnection upstream, TimeSpan latency,
        out bool perMessageDeflate, out ForwardResult result)
    {
        var policy = connection.UpgradePolicy!;
        connection.UpgradeCounted = true;
        var error = WebSocketHandshake.ValidateResponse(connection.Head, upstream.Response, out perMessageDeflate);
        if (error != WebSocketHandshakeError.None)
        {
            policy.Metrics.Refused(WebSocketRefusal.BadBackendHandshake);
            upstream.Abort();
            destination.Release(upstream, reusable: false);
            destination.ReportFailure();
            result = new ForwardResult
            {
                Status = 502,
                KeepAlive = false,
                Upstream = destination.AddressText,
                UpstreamLatency = latency,
                Error = WebSocketHandshakeErrors.Reason(error),
            };
            return false;
        }
        destination.ReportSuccess();
        connection.DisarmClientTimeout();
        connection.DisarmUpstreamTimeout();

        var headBytes = SwitchingProtocolsWriter.Write(connection.Output, upstream.Response);
        // Neither head is read again: an idle relay should hold kilobytes, not the ~80 KiB of two head buffers.
        upstream.Response.ReleaseBuffers();
        connection.ReleaseHeadForRelay();
        result = new ForwardResult
        {
            Status = 101,
            ResponseStarted = true,
            KeepAlive = false,
            BytesOut = headBytes,
            Upstream = destination.AddressText,
            UpstreamLatency = latency,
        };
        return true;
    }

    /// <summary>
    /// The relay for an accepted handshake, on <paramref name="socket"/> when the upstream's socket was detached from
    /// its transport (a plain backend: no upstream pipes or loops from now on), else on the transport's pipes (TLS).
    /// </summary>
    private static WebSocketRelay StartRelay(ClientConnection connection, UpstreamConnection upstream, DetachedSocket? socket, bool perMessageDeflate)
    {
        var policy = connection.UpgradePolicy!;
        var relay = new WebSocketRelay(connection, upstream, socket, policy, perMessageDeflate);
        policy.Metrics.Opened();
        connection.WebSocket = relay;
        // Shutdown may have begun while the handshake was under way: the relay then closes at once with 1001.
        if (connection.CloseRequested) relay.OnCloseRequested();
        return relay;
    }

    /// <summary>Both pumps have ended: count the close, give the upstream connection up (an upgraded one never returns to the pool).</summary>
    private static ForwardResult EndRelay(ClientConnection connection, Destination destination, UpstreamConnection upstream, WebSocketRelay relay, ForwardResult accepted)
    {
        var policy = connection.UpgradePolicy!;
        connection.WebSocket = null;
        connection.ReleaseUpgradeSlot();
        policy.Metrics.Closed(relay.CloseCode);
        connection.WebSocketCloseCode = relay.CloseCode;
        upstream.Abort();
        destination.Release(upstream, reusable: false);
        return accepted with
        {
            BytesOut = accepted.BytesOut + relay.BytesToClient,
            BodyBytesIn = relay.BytesFromClient,
            Error = relay.Error,
        };
    }

    /// <summary>A WebSocket handshake the backend answered with something other than 101 (relayed as it was), or that failed upstream.</summary>
    private static void CountDeclinedUpgrade(ClientConnection connection)
    {
        if (connection.UpgradePolicy is not { } policy || connection.UpgradeCounted) return;
        connection.UpgradeCounted = true;
        policy.Metrics.Refused(WebSocketRefusal.BackendDeclined);
    }
}
