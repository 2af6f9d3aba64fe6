using EdgeServer.Forwarding;
using EdgeServer.Http;
using EdgeServer.Protocol.Http1;
using EdgeServer.Protocol.WebSockets;
using EdgeServer.Runtime;
using EdgeServer.WebSocketApi;

namespace EdgeServer.Connections;

/// <summary>
/// A request on a WebSocket API route (WebSocketApi/): the edge terminates the WebSocket itself. The handshake is
/// judged, $connect decides (its non-2xx status refuses the handshake with that status), the 101 goes out, and the
/// connection lives in the registry until it ends; then its queued messages are delivered and $disconnect is
/// called. An API connection never serves another request.
/// </summary>
internal sealed partial class EdgeConnectionHandler
{
    private async Task ServeWebSocketApiAsync(ClientConnection connection, RouteEntry entry, WebSocketApiRoute route, long start)
    {
        var output = connection.Output;
        if (RefusedApiHandshake(connection, route, out var answer, out var key))
        {
            route.Metrics.Refused();
            await output.FlushAsync();
            Complete(connection, entry, answer.Status, 0, answer.BytesOut, null, null, answer.Error, start);
            return;
        }
        var registry = runtime.WebSocketApis;
        var admitted = route.Policy.Config.MaxConnectionsPerIp is not null;
        var api = new WebSocketApiConnection(connection, route, ApiHandshake.ContextHeaders(connection));
        try
        {
            string? subprotocol = null;
            if (route.Connect is { } connect)
            {
                var call = new IntegrationCall
                {
                    Path = connect.Path,
                    RouteKey = connect.Key,
                    EventType = IntegrationCall.ConnectEvent,
                    Connection = api,
                    ExtraHeaders = ApiHandshake.ConnectHeaders(connection),
                };
                using var result = await route.Client.CallAsync(call, route.BackendTimeout, route.MaxMessageBytes);
                WebSocketApiMetrics.Call(connect.Cells, result.Result);
                if (!result.Succeeded)
                {
                    route.Metrics.Refused();
                    var (status, reason) = result.Status != 0 ? (result.Status, "refused by the $connect backend")
                        : result.Result == BackendResult.Timeout ? (504, "the $connect backend timed out") : (502, "the $connect backend failed");
                    var bytes = EdgeError.Write(output, status, reason, connection.RequestId, close: true);
                    await output.FlushAsync();
                    Complete(connection, entry, status, 0, bytes, route.Cluster.Name, null, reason, start);
                    return;
                }
                subprotocol = result.Subprotocol;
            }

            var headBytes = ApiHandshake.WriteSwitchingProtocols(output, connection.Head, subprotocol);
            registry.Add(api);
            route.Metrics.Opened();
            bool sent;
            try
            {
                sent = !(await output.FlushAsync()).IsCompleted;
            }
            catch (Exception)
            {
                sent = false;
            }
            // The request head is never read again: its arrays (~40 KiB at the default limits) go back to their pool
            // now, keeping what the access log needs, so an idle API connection holds kilobytes, not a head buffer.
            var request = new HandshakeLogFields(connection);
            connection.EndRequest();
            if (sent)
            {
                // Shutdown may have begun during $connect: close at once with 1001.
                if (connection.CloseRequested) api.RequestClose(WebSocketCloseCodes.GoingAway, "server shutting down");
                await api.ReceiveAsync();
            }
            registry.Remove(api);
            // The client is gone: its per-address and per-key slots are free before the backend hears of it, and
            // before the open gauge drops (whoever sees it drop may connect again at once).
            if (admitted)
            {
                route.Policy.ReleaseAddress(connection.ClientAddressBytes);
                admitted = false;
            }
            route.Policy.ReleaseKey(key);
            key = null;
            route.Metrics.Closed(api.CloseCode);
            await api.DeliveredAsync();
            if (route.Disconnect is { } disconnect)
            {
                var call = new IntegrationCall { Path = disconnect.Path, RouteKey = disconnect.Key, EventType = IntegrationCall.DisconnectEvent, Connection = api };
                using var result = await route.Client.CallAsync(call, route.BackendTimeout, route.MaxMessageBytes);
                WebSocketApiMetrics.Call(disconnect.Cells, result.Result);
            }
            CompleteApiConnection(connection, entry, request, headBytes, route.Cluster.Name, api, start);
        }
        finally
        {
            registry.Remove(api);
            if (admitted) route.Policy.ReleaseAddress(connection.ClientAddressBytes);
            route.Policy.ReleaseKey(key);
        }
    }

    /// <summary>What the access log needs of the handshake once the head's arrays are gone.</summary>
    private sealed class HandshakeLogFields(ClientConnection connection)
    {
        public byte[] Method { get; } = connection.Head.MethodBytes.ToArray();
        public byte[] Path { get; } = connection.Head.Path.ToArray();
        public int HeadLength { get; } = connection.Head.Length;
        public string? WafRule { get; } = connection.WafRule?.Name;
        public string? WafLabels { get; } = connection.WafRule?.LabelText;
    }

    /// <summary>An API connection ended: counted and logged like any request (status 101, its close code, the edge's reason if it closed it).</summary>
    private void CompleteApiConnection(ClientConnection connection, RouteEntry entry, HandshakeLogFields request, long bytesOut, string cluster, WebSocketApiConnection api, long start)
    {
        entry.Metrics.RecordRequest(101);
        metrics.AddBytesOut(bytesOut);
        accessLog?.Write(new Observability.AccessLogEntry
        {
            Time = DateTimeOffset.UtcNow,
            RequestId = connection.RequestId,
            ClientIp = connection.ClientIp,
            Method = request.Method,
            Path = request.Path,
            Route = entry.Route.Name,
            Status = 101,
            BytesIn = request.HeadLength,
            BytesOut = bytesOut,
            Upstream = cluster,
            TotalLatency = System.Diagnostics.Stopwatch.GetElapsedTime(start),
            Error = api.CloseReason,
            ClientCert = connection.Identity?.Subject,
            WafRule = request.WafRule,
            WafLabels = request.WafLabels,
            WebSocketClose = api.CloseCode,
        });
    }

    /// <summary>
    /// True when the request was answered here (written, not flushed): not a valid WebSocket handshake, or over the
    /// per-address or per-key limit. False: go on, holding the per-key slot of <paramref name="key"/> (null: none).
    /// </summary>
    private static bool RefusedApiHandshake(ClientConnection connection, WebSocketApiRoute route, out LocalAnswer answer, out string? key)
    {
        key = null;
        var head = connection.Head;
        if (!WebSocketHandshake.IsWebSocketRequest(head))
        {
            answer = UpgradeRequired(connection, "this route is a WebSocket API: connect with a WebSocket handshake");
            return true;
        }
        var error = head.BodyFraming != BodyFraming.None ? WebSocketHandshakeError.MethodNotGet : WebSocketHandshake.ValidateRequest(head, out _);
        if (error != WebSocketHandshakeError.None)
        {
            var status = WebSocketHandshakeErrors.StatusCode(error);
            var reason = WebSocketHandshakeErrors.Reason(error);
            answer = status == 426 ? UpgradeRequired(connection, reason) : Answer(connection, status, reason, close: true);
            return true;
        }
        var limited = route.Policy.Config.MaxConnectionsPerIp is not null;
        if (limited && !route.Policy.TryAdmitAddress(connection.ClientAddressBytes))
        {
            route.Metrics.Limited(perKey: false);
            connection.RateLimitedBy = "webSocketApi.maxConnectionsPerIp";
            answer = ConnectionLimitAnswer(connection, "too many WebSocket connections from this address", "per_ip_limit"u8);
            return true;
        }
        // The API key (or certificate) is read now: the request's fields are cleared once the 101 is out.
        if (!route.Policy.TryAdmitKey(connection, out key))
        {
            if (limited) route.Policy.ReleaseAddress(connection.ClientAddressBytes);
            route.Metrics.Limited(perKey: true);
            connection.RateLimitedBy = "webSocketApi.maxConnectionsPerKey";
            answer = ConnectionLimitAnswer(connection, PerKeyError(connection), "per_key_limit"u8);
            return true;
        }
        answer = default;
        return false;
    }
}
