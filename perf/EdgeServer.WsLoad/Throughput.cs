using System.Diagnostics;
using System.Net.WebSockets;

namespace EdgeServer.WsLoad;

/// <summary>
/// Messages per second through a WebSocket echo: each connection keeps <c>window</c> binary messages in flight
/// (a sender and a receiver per connection) and counts the echoes that come back within the measured time.
/// </summary>
internal static class Throughput
{
    public static async Task<int> RunAsync(Uri url, int connections, int bytes, int seconds, int window)
    {
        var sockets = new ClientWebSocket[connections];
        for (var i = 0; i < connections; i++)
        {
            sockets[i] = new ClientWebSocket();
            sockets[i].Options.KeepAliveInterval = TimeSpan.Zero;
            await sockets[i].ConnectAsync(url, default);
        }
        long echoed = 0;
        var warmup = TimeSpan.FromSeconds(1);
        using var stop = new CancellationTokenSource(warmup + TimeSpan.FromSeconds(seconds));
        var measuring = 0;
        var runs = sockets.Select(socket => RunConnectionAsync(socket, bytes, window, stop.Token, () => { if (Volatile.Read(ref measuring) == 1) Interlocked.Increment(ref echoed); })).ToArray();
        await Task.Delay(warmup);
        Volatile.Write(ref measuring, 1);
        var clock = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        Volatile.Write(ref measuring, 0);
        var elapsed = clock.Elapsed.TotalSeconds;
        var count = Interlocked.Read(ref echoed);
        await Task.WhenAll(runs);
        foreach (var socket in sockets) socket.Abort();
        var rate = count / elapsed;
        Console.WriteLine($"url={url} connections={connections} bytes={bytes} window={window} seconds={elapsed:F1} messages={count} msg/s={rate:F0} MiB/s(each way)={rate * bytes / (1024 * 1024):F1}");
        return 0;
    }

    private static async Task RunConnectionAsync(ClientWebSocket socket, int bytes, int window, CancellationToken stop, Action echoedOne)
    {
        var message = new byte[bytes];
        Random.Shared.NextBytes(message);
        var inFlight = new SemaphoreSlim(window, window);
        var sender = Task.Run(async () =>
        {
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    await inFlight.WaitAsync(stop);
                    await socket.SendAsync(message, WebSocketMessageType.Binary, true, stop);
                }
            }
            catch (OperationCanceledException) { }
            catch (WebSocketException) { }
        });
        var buffer = new byte[Math.Max(bytes, 1024)];
        try
        {
            while (!stop.IsCancellationRequested)
            {
                ValueWebSocketReceiveResult received;
                do
                {
                    received = await socket.ReceiveAsync(buffer.AsMemory(), stop);
                } while (!received.EndOfMessage);
                echoedOne();
                inFlight.Release();
            }
        }
        catch (OperationCanceledException) { }
        catch (WebSocketException) { }
        await sender;
    }
}
