using System.Diagnostics;
using System.Net.WebSockets;

namespace EdgeServer.WsLoad;

/// <summary>
/// Opens many WebSocket connections (200 handshakes at a time), checks each with one echo, then holds them idle:
/// what the proxy's memory per idle connection is measured against.
/// </summary>
internal static class IdleConnections
{
    public static async Task<int> RunAsync(Uri url, int connections, int holdSeconds)
    {
        var sockets = new ClientWebSocket[connections];
        var clock = Stopwatch.StartNew();
        using var gate = new SemaphoreSlim(200);
        var opened = 0;
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                var socket = new ClientWebSocket();
                socket.Options.KeepAliveInterval = TimeSpan.Zero;
                await socket.ConnectAsync(url, default);
                await socket.SendAsync("hi"u8.ToArray(), WebSocketMessageType.Text, true, default);
                var buffer = new byte[16];
                await socket.ReceiveAsync(buffer.AsMemory(), default);
                sockets[i] = socket;
                Interlocked.Increment(ref opened);
            }
            finally
            {
                gate.Release();
            }
        }));
        Console.WriteLine($"open {opened} in {clock.Elapsed.TotalSeconds:F1}s");
        await Task.Delay(TimeSpan.FromSeconds(holdSeconds));
        var closing = sockets.Select(async s =>
        {
            try
            {
                await s.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, default);
            }
            catch (Exception ex) when (ex is WebSocketException or IOException) { }
            s.Dispose();
        });
        await Task.WhenAll(closing);
        Console.WriteLine("closed");
        return 0;
    }
}
