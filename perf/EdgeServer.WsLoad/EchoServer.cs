using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeServer.WsLoad;

/// <summary>The backend of the measurements: ASP.NET Core WebSockets echoing every message, no pings of its own.</summary>
internal static class EchoServer
{
    public static async Task<int> RunAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxConcurrentConnections = null;
            k.Limits.MaxConcurrentUpgradedConnections = null;
            k.Listen(IPAddress.Loopback, port, o => o.Protocols = HttpProtocols.Http1);
        });
        var app = builder.Build();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.Zero });
        app.Run(EchoAsync);
        await app.StartAsync();
        Console.WriteLine($"echo backend on ws://127.0.0.1:{port}/");
        await app.WaitForShutdownAsync();
        return 0;
    }

    private static async Task EchoAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = 400;
            return;
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        // Rented per message, never held while idle: the backend's memory is not what is measured, but 10,000 idle
        // connections with 64 KiB each would crowd the machine.
        var buffer = Array.Empty<byte>();
        try
        {
            while (true)
            {
                // Zero-byte receive first, as the proxy does: wait without a buffer.
                var peek = await socket.ReceiveAsync(Memory<byte>.Empty, default);
                if (peek.MessageType == WebSocketMessageType.Close) break;
                if (buffer.Length == 0) buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(128 * 1024);
                var length = 0;
                ValueWebSocketReceiveResult received;
                do
                {
                    received = await socket.ReceiveAsync(buffer.AsMemory(length), default);
                    length += received.Count;
                } while (!received.EndOfMessage && received.MessageType != WebSocketMessageType.Close);
                if (received.MessageType == WebSocketMessageType.Close) break;
                await socket.SendAsync(buffer.AsMemory(0, length), received.MessageType, true, default);
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
                buffer = [];
            }
            if (socket.State == WebSocketState.CloseReceived) await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, default);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException)
        {
        }
        finally
        {
            if (buffer.Length > 0) System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
