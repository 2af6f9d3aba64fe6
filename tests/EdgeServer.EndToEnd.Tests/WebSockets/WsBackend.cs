using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace EdgeServer.EndToEnd.Tests.WebSockets;

/// <summary>
/// A real Kestrel WebSocket backend (ASP.NET Core's WebSocket implementation, not ours): /ws/echo echoes messages
/// and answers a close with the same code; /ws/bye sends one message then closes with 4000 (server-initiated);
/// /ws/decline answers 403 without upgrading. It records how each connection ended, as the backend saw it.
/// </summary>
internal sealed class WsBackend : IAsyncDisposable
{
    private readonly WebApplication _app;

    private readonly bool _deflate;

    private WsBackend(WebApplication app, bool deflate)
    {
        _app = app;
        _deflate = deflate;
    }

    public IPEndPoint Endpoint { get; private set; } = null!;
    public string Address => $"127.0.0.1:{Endpoint.Port}";

    /// <summary>One line per ended connection: "close 1000 reason", or "aborted".</summary>
    public BlockingCollection<string> Ends { get; } = [];

    /// <summary>Headers of every handshake request the backend received.</summary>
    public ConcurrentQueue<IHeaderDictionary> Handshakes { get; } = new();

    /// <summary>Every message the backend received, as it decoded it (inflated when compressed): type and length.</summary>
    public ConcurrentQueue<(WebSocketMessageType Type, int Length)> Received { get; } = new();

    public static async Task<WsBackend> StartAsync(bool deflate = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        ListenOptions? bound = null;
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => { o.Protocols = HttpProtocols.Http1; bound = o; }));
        var app = builder.Build();
        var backend = new WsBackend(app, deflate);
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });
        app.Map("/ws/decline", async (HttpContext context) =>
        {
            context.Response.StatusCode = 403;
            await context.Response.WriteAsync("no WebSockets for you");
        });
        app.Map("/ws/{mode}", (HttpContext context, string mode) => backend.ServeAsync(context, mode));
        await app.StartAsync();
        backend.Endpoint = bound!.IPEndPoint!;
        return backend;
    }

    private async Task ServeAsync(HttpContext context, string mode)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = 400;
            return;
        }
        Handshakes.Enqueue(context.Request.Headers);
        var protocol = context.WebSockets.WebSocketRequestedProtocols.FirstOrDefault();
        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            SubProtocol = protocol,
            DangerousEnableCompression = _deflate,
        });
        var buffer = new byte[1024 * 1024];
        try
        {
            if (mode == "bye")
            {
                await socket.SendAsync("bye soon"u8.ToArray(), WebSocketMessageType.Text, true, default);
                await socket.CloseAsync((WebSocketCloseStatus)4000, "server says bye", default);
                Ends.Add($"close {(int?)socket.CloseStatus} {socket.CloseStatusDescription}");
                return;
            }
            var message = new MemoryStream();
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, default);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    Ends.Add($"close {(int?)socket.CloseStatus} {socket.CloseStatusDescription}");
                    await socket.CloseOutputAsync(socket.CloseStatus ?? WebSocketCloseStatus.NormalClosure, socket.CloseStatusDescription, default);
                    return;
                }
                message.Write(buffer, 0, received.Count);
                if (!received.EndOfMessage) continue;
                Received.Enqueue((received.MessageType, (int)message.Length));
                await socket.SendAsync(message.ToArray(), received.MessageType, true, default);
                message.SetLength(0);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException)
        {
            Ends.Add("aborted");
        }
    }

    public string NextEnd(int seconds = 10) =>
        Ends.TryTake(out var end, TimeSpan.FromSeconds(seconds)) ? end : "(no end within the timeout)";

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
