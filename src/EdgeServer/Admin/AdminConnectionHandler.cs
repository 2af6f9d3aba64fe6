using System.Text.Json;
using EdgeServer.Config;
using EdgeServer.Connections;
using EdgeServer.Config.Model;
using EdgeServer.Http;
using EdgeServer.Observability;
using EdgeServer.Protocol.Http1;
using EdgeServer.Runtime;
using Microsoft.AspNetCore.Connections;

namespace EdgeServer.Admin;

/// <summary>
/// The admin listener (loopback by default): /healthz, /ready, /metrics (Prometheus text) and /config
/// (the active config as JSON, secrets redacted). Same parser as the data path; scrapes are rare, so
/// small allocations here are fine.
/// </summary>
internal sealed class AdminConnectionHandler(EdgeRuntime runtime, EdgeMetrics metrics, Func<bool> ready)
{
    /// <summary>/@connections/{id}: backends push to, describe and close WebSocket API connections (WebSocketApi/).</summary>
    private readonly EdgeServer.WebSocketApi.ConnectionsEndpoint _connections = new(runtime.WebSocketApis);

    private static readonly ListenerConfig s_adminListener = new() { Name = "admin", Address = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0) };

    public async Task OnConnectedAsync(ConnectionContext context)
    {
        var snapshot = runtime.Current;
        var connection = new ClientConnection(context, s_adminListener, snapshot.RequestLimits);
        try
        {
            while (true)
            {
                var outcome = await RequestHeadReader.ReadAsync(connection, runtime.Current);
                if (outcome == HeadReadOutcome.Closed) return;
                connection.AssignRequestId();
                if (outcome != HeadReadOutcome.Ok)
                {
                    var status = outcome == HeadReadOutcome.TimedOut ? 408 : HttpParseErrors.StatusCode(connection.Head.Error);
                    EdgeError.Write(context.Transport.Output, status, "bad request", connection.RequestId, close: true);
                    await context.Transport.Output.FlushAsync();
                    return;
                }
                var head = connection.Head;
                if (EdgeServer.WebSocketApi.ConnectionsEndpoint.Matches(head.Path))
                {
                    if (!await _connections.HandleAsync(connection)) return;
                    continue;
                }
                var keepAlive = head.KeepAlive && head.BodyFraming == BodyFraming.None;
                Respond(connection, keepAlive);
                await context.Transport.Output.FlushAsync();
                if (!keepAlive) return;
            }
        }
        catch (Exception ex) when (ex is ConnectionResetException or ConnectionAbortedException or IOException)
        {
        }
        finally
        {
            connection.Release();
        }
    }

    private void Respond(ClientConnection connection, bool keepAlive)
    {
        var head = connection.Head;
        var output = connection.Output;
        var headOnly = head.Method == KnownMethod.Head;
        if (head.Method is not (KnownMethod.Get or KnownMethod.Head))
        {
            EdgeError.Write(output, 405, "admin endpoints are read-only: use GET", connection.RequestId, !keepAlive, headOnly);
            return;
        }
        var path = head.Path;
        if (path.SequenceEqual("/healthz"u8))
        {
            WriteBody(output, 200, "text/plain; charset=utf-8", "ok\n"u8, keepAlive, headOnly);
        }
        else if (path.SequenceEqual("/ready"u8))
        {
            if (ready()) WriteBody(output, 200, "text/plain; charset=utf-8", "ready\n"u8, keepAlive, headOnly);
            else WriteBody(output, 503, "text/plain; charset=utf-8", "not ready\n"u8, keepAlive, headOnly);
        }
        else if (path.SequenceEqual("/metrics"u8))
        {
            var body = new ArrayBufferWriter<byte>(16 * 1024);
            metrics.WritePrometheus(body);
            WriteBody(output, 200, "text/plain; version=0.0.4; charset=utf-8", body.WrittenSpan, keepAlive, headOnly);
        }
        else if (path.SequenceEqual("/config"u8))
        {
            var snapshot = runtime.Current;
            var body = new ArrayBufferWriter<byte>(8 * 1024);
            using (var json = new Utf8JsonWriter(body, new JsonWriterOptions { Indented = true }))
            {
                json.WriteStartObject();
                json.WriteNumber("generation", snapshot.Generation);
                json.WritePropertyName("config");
                ConfigJson.Write(snapshot.Config, json);
                json.WriteEndObject();
            }
            WriteBody(output, 200, "application/json", body.WrittenSpan, keepAlive, headOnly);
        }
        else
        {
            EdgeError.Write(output, 404, "unknown admin endpoint: try /healthz, /ready, /metrics, /config", connection.RequestId, !keepAlive, headOnly);
        }
    }

    private static void WriteBody(System.IO.Pipelines.PipeWriter output, int status, string contentType, ReadOnlySpan<byte> body, bool keepAlive, bool headOnly)
    {
        var w = new HeadWriter(output);
        StatusLines.Write(ref w, status);
        w.Write(DateHeader.Line);
        w.Write("Server: edge\r\nCache-Control: no-store\r\nContent-Type: "u8);
        w.Write(Encoding.ASCII.GetBytes(contentType));
        w.Write("\r\nContent-Length: "u8);
        w.WriteNumber(body.Length);
        w.WriteCrLf();
        if (!keepAlive) w.Write("Connection: close\r\n"u8);
        w.WriteCrLf();
        if (!headOnly) w.Write(body);
        w.Commit();
    }
}
