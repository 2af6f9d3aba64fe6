using System.Net.WebSockets;
using System.Text;
using EdgeServer.EndToEnd.Tests.Infrastructure;

namespace EdgeServer.EndToEnd.Tests.WebSocketApi;

/// <summary>The edge with one WebSocket API route (/ws) on an <see cref="ApiBackend"/>, and client helpers.</summary>
internal static class ApiEdge
{
    public static string EdgeConfig(string backend, string apiExtra = "") => Configs.Proxy(
        $"""
          - name: backend
            destinations: [{backend}]
        """,
        $"""
          - name: api
            match:
              path: /ws
            cluster: backend
            webSocketApi:
              routeSelection: $request.body.action
              maxMessageBytes: 4096
              pingInterval: 0s
        {apiExtra}
              routes:
                $connect:
                  path: /connect
                $disconnect:
                  path: /disconnect
                $default:
                  path: /default
                  reply: true
                sendMessage:
                  path: /messages
                echo:
                  path: /echo
                  reply: true
                slow:
                  path: /slow
        """);

    public static Uri WsUri(EdgeInstance edge, string pathAndQuery = "/ws") => new($"ws://{edge.Endpoint}{pathAndQuery}");

    public static async Task<ClientWebSocket> ConnectAsync(EdgeInstance edge, string pathAndQuery = "/ws", Action<ClientWebSocketOptions>? configure = null)
    {
        var ws = new ClientWebSocket();
        ws.Options.KeepAliveInterval = TimeSpan.Zero;
        configure?.Invoke(ws.Options);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await ws.ConnectAsync(WsUri(edge, pathAndQuery), timeout.Token);
        return ws;
    }

    public static Task SendTextAsync(WebSocket ws, string text) =>
        ws.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>The next whole message (type and text), or the close (type Close) within the timeout.</summary>
    public static async Task<(WebSocketMessageType Type, string Text)> ReceiveAsync(WebSocket ws, int timeoutMs = 10_000)
    {
        using var timeout = new CancellationTokenSource(timeoutMs);
        var buffer = new byte[64 * 1024];
        var length = 0;
        while (true)
        {
            var result = await ws.ReceiveAsync(buffer.AsMemory(length), timeout.Token);
            length += result.Count;
            if (result.MessageType == WebSocketMessageType.Close) return (WebSocketMessageType.Close, "");
            if (result.EndOfMessage) return (result.MessageType, Encoding.UTF8.GetString(buffer, 0, length));
        }
    }

    public static HttpClient AdminHttp(EdgeInstance edge) => new() { BaseAddress = new Uri($"http://{edge.Admin}"), Timeout = TimeSpan.FromSeconds(30) };
}
