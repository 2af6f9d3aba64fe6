using System.Net;
using System.Net.Sockets;

namespace EdgeServer.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A raw-socket backend whose every connection runs a script: for misbehaviour no real server would
/// produce on purpose (resets, garbage, silence, close-delimited bodies, interim responses).
/// </summary>
internal sealed class RawBackend : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<Socket, Task> _script;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _connections;

    public RawBackend(Func<Socket, Task> script)
    {
        _script = script;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accepting = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    public string Address => $"127.0.0.1:{Port}";
    public int Connections => Volatile.Read(ref _connections);

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }
            Interlocked.Increment(ref _connections);
            _ = Task.Run(async () =>
            {
                try
                {
                    await _script(socket);
                }
                catch (Exception)
                {
                    // Scripts misbehave on purpose; their sockets may already be gone.
                }
                finally
                {
                    socket.Dispose();
                }
            });
        }
    }

    /// <summary>Reads until the end of a request head (CRLFCRLF) and returns it as text.</summary>
    public static async Task<string> ReadHeadAsync(Socket socket)
    {
        var buffer = new byte[16 * 1024];
        var length = 0;
        while (length < buffer.Length)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None);
            if (n == 0) break;
            length += n;
            var text = System.Text.Encoding.ASCII.GetString(buffer, 0, length);
            if (text.Contains("\r\n\r\n", StringComparison.Ordinal)) return text;
        }
        return System.Text.Encoding.ASCII.GetString(buffer, 0, length);
    }

    public static Task SendAsync(Socket socket, string text) =>
        socket.SendAsync(System.Text.Encoding.ASCII.GetBytes(text), SocketFlags.None);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try { await _accepting; } catch (Exception) { }
        _stop.Dispose();
    }
}
