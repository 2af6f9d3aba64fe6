using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EdgeServer.Tests.Redis;

/// <summary>
/// A real redis-server on a free loopback port, started for one test (or benchmark) and killed after:
/// no persistence, DEBUG allowed (for DEBUG SLEEP). It can be killed and started again on the same
/// port, to test reconnects.
/// </summary>
internal sealed class RedisServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(15);

    private readonly string[] _extraArguments;
    private readonly string _directory;
    private Process? _process;

    private RedisServerProcess(int port, string[] extraArguments)
    {
        Port = port;
        _extraArguments = extraArguments;
        _directory = Directory.CreateTempSubdirectory("edge-redis-").FullName;
    }

    public int Port { get; }

    public bool IsRunning => _process is { HasExited: false };

    /// <param name="extraArguments">More redis-server options, e.g. <c>"--requirepass", "secret"</c>.</param>
    public static async Task<RedisServerProcess> StartAsync(params string[] extraArguments)
    {
        // A port freed a moment ago can be taken by another test before redis binds it: try a few.
        for (var attempt = 1; ; attempt++)
        {
            var server = new RedisServerProcess(FreePort(), extraArguments);
            try
            {
                await server.RestartAsync();
                return server;
            }
            catch (InvalidOperationException) when (attempt < 5)
            {
                await server.DisposeAsync();
            }
        }
    }

    /// <summary>Starts redis-server (again, on the same port) and waits until it answers.</summary>
    public async Task RestartAsync()
    {
        if (IsRunning) throw new InvalidOperationException("redis-server is already running");
        var start = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _directory,
        };
        foreach (var argument in (string[])["--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no",
                     "--enable-debug-command", "yes", "--dir", _directory, "--loglevel", "warning"])
            start.ArgumentList.Add(argument);
        foreach (var argument in _extraArguments) start.ArgumentList.Add(argument);

        var output = new StringBuilder();
        var process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        var deadline = DateTime.UtcNow + StartLimit;
        while (!await AnswersAsync())
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                await KillAsync();
                string log;
                lock (output) log = output.ToString();
                throw new InvalidOperationException($"redis-server on port {Port} did not come up: {log}");
            }
            await Task.Delay(20);
        }
    }

    /// <summary>SIGKILL: no goodbye on the connections (the kernel resets them).</summary>
    public async Task KillAsync()
    {
        if (_process is null) return;
        if (!_process.HasExited) _process.Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp directory left behind is harmless.
        }
    }

    /// <summary>An answer to a raw PING (PONG, or NOAUTH when a password is set) means it serves.</summary>
    private async Task<bool> AnswersAsync()
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, Port), timeout.Token);
            await socket.SendAsync("PING\r\n"u8.ToArray(), SocketFlags.None, timeout.Token);
            var buffer = new byte[64];
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            return read > 0 && buffer[0] is (byte)'+' or (byte)'-';
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
