using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EdgeServer.Tests.Redis;

/// <summary>
/// A loopback listener that plays a broken Redis: each accepted connection is handed to a script that
/// reads commands and writes whatever bytes the test wants (garbage, silence, unsolicited replies).
/// </summary>
internal sealed class FakeRedis : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<NetworkStream, CancellationToken, Task> _script;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private Task _accepting = Task.CompletedTask;
    private int _accepted;

    private FakeRedis(Func<NetworkStream, CancellationToken, Task> script) => _script = script;

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Accepted => Volatile.Read(ref _accepted);

    public static Task<FakeRedis> StartAsync(Func<NetworkStream, CancellationToken, Task> script)
    {
        var fake = new FakeRedis(script);
        fake._listener.Start();
        fake._accepting = fake.AcceptAsync();
        return Task.FromResult(fake);
    }

    /// <summary>Reads until <paramref name="count"/> CRLF-terminated RESP commands (arrays of bulk strings) have arrived.</summary>
    public static async Task ReadCommandsAsync(NetworkStream stream, int count, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        var text = new StringBuilder();
        while (CountCommands(text.ToString()) < count)
        {
            var read = await stream.ReadAsync(buffer, cancellationToken);
            if (read == 0) throw new IOException("client closed");
            text.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        Task[] connections;
        lock (_connections) connections = [.. _connections];
        await Task.WhenAll(connections);
        _stop.Dispose();
    }

    /// <summary>Whole commands ("*N" then N "$len" bulk strings) at the start of <paramref name="text"/>.</summary>
    private static int CountCommands(string text)
    {
        int commands = 0, position = 0;
        while (TryLine(text, ref position, out var header) && header.StartsWith('*'))
        {
            var n = int.Parse(header.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
            for (var i = 0; i < n; i++)
            {
                if (!TryLine(text, ref position, out var length)) return commands;
                position += int.Parse(length.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture) + 2;
                if (position > text.Length) return commands;
            }
            commands++;
        }
        return commands;
    }

    private static bool TryLine(string text, ref int position, out string line)
    {
        line = "";
        var end = text.IndexOf("\r\n", position, StringComparison.Ordinal);
        if (end < 0) return false;
        line = text[position..end];
        position = end + 2;
        return true;
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            Interlocked.Increment(ref _accepted);
            lock (_connections) _connections.Add(ServeAsync(socket));
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using var stream = new NetworkStream(socket, ownsSocket: true);
        try
        {
            await _script(stream, _stop.Token);
            // Keep the connection open (silent) until the test ends, unless the script closed it.
            await Task.Delay(Timeout.Infinite, _stop.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // The client went away or the test ended.
        }
    }
}
