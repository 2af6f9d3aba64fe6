using System.Runtime.CompilerServices;
using System.Diagnostics;
using EdgeServer.Config.Model;
using EdgeServer.Forwarding;
using EdgeServer.Http;
using EdgeServer.Observability;
using EdgeServer.Protocol.Http1;
using EdgeServer.Runtime;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace EdgeServer.Connections;

/// <summary>
/// The data path for one client connection: admit, then per request read and parse the head, route,
/// answer from a mock or forward, log. Kestrel hands us the raw transport; its HTTP layer never runs.
/// </summary>
internal sealed partial class EdgeConnectionHandler(
    ListenerConfig listener,
    EdgeRuntime runtime,
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
        var connection = new ClientConnection(context, listener, snapshot.RequestLimits);
        heartbeat.Add(connection);
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
            admission.Exit();
            metrics.ConnectionClosed();
        }
    }

    private async Task ServeAsync(ClientConnection connection)
    {
        while (true)
        {
            var snapshot = runtime.Current;
            connection.EnsureHeadCapacity(snapshot.RequestLimits);
            var outcome = await RequestHeadReader.ReadAsync(connection, snapshot);
            if (outcome == HeadReadOutcome.Closed) return;
            var start = Stopwatch.GetTimestamp();
            // A request runs on the config current when its head arrived, not when the connection began
            // waiting for it: an idle keep-alive connection sees a reload at its next request.
            snapshot = runtime.Current;
            if (outcome != HeadReadOutcome.Ok)
            {
                await RefuseAsync(connection, snapshot, outcome, start);
                return;
            }
            if (!await HandleRequestAsync(connection, snapshot, start)) return;
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> HandleRequestAsync(ClientConnection connection, RuntimeSnapshot snapshot, long start)
    {
        var head = connection.Head;
        AssignRequestId(connection);
        metrics.AddBytesIn(head.Length);

        if (head.Method == KnownMethod.Connect)
        {
            return await AnswerAsync(connection, null, 501, "CONNECT is not supported", start, close: true);
        }
        var route = snapshot.Routes.Match(head.Authority, head.Path, head.Method, head.MethodBytes);
        if (route is null)
        {
            return await AnswerAsync(connection, null, 404, "no route matches the request", start, close: head.BodyFraming != BodyFraming.None);
        }
        var entry = snapshot.Entry(route);
        if (head.ContentLength > route.MaxBodyBytes)
        {
            return await AnswerAsync(connection, entry, 413, "request body too large", start, close: true);
        }

        if (entry.IsMock)
        {
            // A mock never reads the body: keep the connection only when there is none to skip.
            var keepAlive = head.KeepAlive && head.BodyFraming == BodyFraming.None;
            var written = entry.WriteMock(connection.Output, head.Method == KnownMethod.Head, close: !keepAlive);
            await connection.Output.FlushAsync();
            Complete(connection, entry, entry.MockStatus, 0, written, null, null, null, start);
            return keepAlive;
        }

        var result = await Forwarder.ForwardAsync(connection, snapshot, entry, metrics);
        var bytesOut = result.BytesOut;
        if (!result.ResponseStarted && !result.ClientGone)
        {
            bytesOut += EdgeError.Write(connection.Output, result.Status, result.Error ?? "error", connection.RequestId, close: !result.KeepAlive, headOnly: head.Method == KnownMethod.Head);
            await connection.Output.FlushAsync();
        }
        Complete(connection, entry, result.Status, result.BodyBytesIn, bytesOut, result.Upstream, result.UpstreamLatency, result.Error, start);
        return result.KeepAlive && !result.ClientGone;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> AnswerAsync(ClientConnection connection, RouteEntry? entry, int status, string reason, long start, bool close)
    {
        var head = connection.Head;
        close |= !head.KeepAlive;
        var written = EdgeError.Write(connection.Output, status, reason, connection.RequestId, close, headOnly: head.Method == KnownMethod.Head);
        await connection.Output.FlushAsync();
        Complete(connection, entry, status, 0, written, null, null, reason, start);
        return !close;
    }

    /// <summary>A request that could not be parsed (or timed out) gets its status and the connection closes.</summary>
    private async ValueTask RefuseAsync(ClientConnection connection, RuntimeSnapshot snapshot, HeadReadOutcome outcome, long start)
    {
        _ = snapshot;
        connection.AssignRequestId();
        var (status, reason) = outcome == HeadReadOutcome.TimedOut
            ? (408, "request header timeout")
            : (HttpParseErrors.StatusCode(connection.Head.Error), HttpParseErrors.Reason(connection.Head.Error));
        var written = EdgeError.Write(connection.Output, status, reason, connection.RequestId, close: true);
        await connection.Output.FlushAsync();
        Complete(connection, null, status, 0, written, null, null, reason, start);
    }

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
        metrics.AddBytesIn(bodyIn);
        metrics.AddBytesOut(bytesOut);
        if (accessLog is null) return;
        var head = connection.Head;
        accessLog.Write(new AccessLogEntry
        {
            Time = DateTimeOffset.UtcNow,
            RequestId = connection.RequestId,
            ClientIp = connection.ClientIp,
            Method = head.MethodBytes,
            Path = head.Path,
            Route = entry?.Route.Name,
            Status = status,
            BytesIn = head.Length + bodyIn,
            BytesOut = bytesOut,
            Upstream = upstream,
            UpstreamLatency = upstreamLatency,
            TotalLatency = Stopwatch.GetElapsedTime(start),
            Error = error,
        });
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "unexpected error on a client connection")]
    private static partial void LogUnexpected(ILogger logger, Exception ex);
}
