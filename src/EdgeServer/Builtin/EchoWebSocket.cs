using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;

namespace EdgeServer.Builtin;

/// <summary>
/// The echo backend's WebSocket endpoint (/echo/ws, or any path ending in /ws): every message comes back as it was
/// sent, text as text, binary as binary, until the client closes. ASP.NET Core's WebSocket support, because this is a
/// backend like any other; the edge in front of it relays and inspects the frames.
/// </summary>
internal static class EchoWebSocket
{
    /// <summary>Largest message echoed: the edge's default maxMessageBytes (4 MiB); beyond, the echo closes with 1009.</summary>
    private const int MaxMessageBytes = 4 * 1024 * 1024;

    public static bool IsEchoPath(PathString path) => path.Value is { } p && p.EndsWith("/ws", StringComparison.Ordinal);

    public static async Task EchoAsync(HttpContext context)
    {
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var buffer = new byte[16 * 1024];
        var message = new MemoryStream();
        try
        {
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, context.RequestAborted);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(socket.CloseStatus ?? WebSocketCloseStatus.NormalClosure, socket.CloseStatusDescription, context.RequestAborted);
                    return;
                }
                message.Write(buffer, 0, received.Count);
                if (message.Length > MaxMessageBytes)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, "message too big for the echo", context.RequestAborted);
                    return;
                }
                if (!received.EndOfMessage) continue;
                await socket.SendAsync(message.GetBuffer().AsMemory(0, (int)message.Length), received.MessageType, endOfMessage: true, context.RequestAborted);
                message.SetLength(0);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            // The client (or the edge on its behalf) went away without a close handshake.
        }
    }
}
