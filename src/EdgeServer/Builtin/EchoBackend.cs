using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace EdgeServer.Builtin;

/// <summary>
/// The backend the default config forwards /echo/ to, so a newcomer has something to proxy to at once.
/// It is an ordinary ASP.NET Core app (a backend, not the data path) answering with JSON: method, path,
/// query, headers and the body (its first 64 KiB as text, and its full length). WebSocket handshakes to a path
/// ending in /ws (the default config's /echo/ws) get an echoing WebSocket instead (EchoWebSocket).
/// </summary>
internal sealed class EchoBackend : IAsyncDisposable
{
    private const int MaxEchoedBodyBytes = 64 * 1024;
    private readonly WebApplication _app;

    private EchoBackend(WebApplication app) { _app = app; }

    public IPEndPoint? Endpoint { get; private set; }

    public static async Task<EchoBackend> StartAsync(IPEndPoint address, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        ListenOptions? bound = null;
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = null;
            k.Listen(address, o => { o.Protocols = HttpProtocols.Http1; bound = o; });
        });
        var app = builder.Build();
        // Pings come from the edge in front (websocket.pingInterval); the echo sends none of its own.
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });
        app.Run(context => context.WebSockets.IsWebSocketRequest && EchoWebSocket.IsEchoPath(context.Request.Path)
            ? EchoWebSocket.EchoAsync(context)
            : EchoAsync(context));
        await app.StartAsync(cancellationToken);
        return new EchoBackend(app) { Endpoint = bound?.IPEndPoint };
    }

    private static async Task EchoAsync(HttpContext context)
    {
        var request = context.Request;
        var kept = new byte[MaxEchoedBodyBytes];
        var keptLength = 0;
        long total = 0;
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            var copy = Math.Min(read, kept.Length - keptLength);
            chunk.AsSpan(0, copy).CopyTo(kept.AsSpan(keptLength));
            keptLength += copy;
            total += read;
        }

        context.Response.ContentType = "application/json";
        context.Response.Headers["X-Echo-Server"] = "edge-builtin";
        await using var json = new Utf8JsonWriter(context.Response.Body, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("method", request.Method);
        json.WriteString("path", request.Path.Value);
        json.WriteString("query", request.QueryString.Value);
        json.WriteString("protocol", request.Protocol);
        json.WriteStartObject("headers");
        foreach (var (name, values) in request.Headers)
        {
            json.WriteString(name, values.ToString());
        }
        json.WriteEndObject();
        json.WriteNumber("bodyBytes", total);
        json.WriteString("body", System.Text.Encoding.UTF8.GetString(kept, 0, keptLength));
        json.WriteBoolean("bodyTruncated", total > keptLength);
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
