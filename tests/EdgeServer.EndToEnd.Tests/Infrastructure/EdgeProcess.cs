using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EdgeServer.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The `edge` executable run as its own process (`dotnet edge.dll run --config FILE`) on free loopback ports, for
/// tests where several edge nodes must not share anything but what they are configured to share (Redis).
/// </summary>
internal sealed class EdgeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly string _directory;

    private EdgeProcess(Process process, string directory, int port, int adminPort)
    {
        _process = process;
        _directory = directory;
        Port = port;
        AdminPort = adminPort;
        process.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Port { get; }
    public int AdminPort { get; }
    public bool HasExited => _process.HasExited;
    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <param name="config">The config, with <c>{port}</c> and <c>{adminPort}</c> where the listener and admin ports go.</param>
    public static async Task<EdgeProcess> StartAsync(string config)
    {
        var directory = Directory.CreateTempSubdirectory("edge-process-").FullName;
        var (port, adminPort) = (FreePort(), FreePort());
        var path = Path.Combine(directory, "edge.yaml");
        await File.WriteAllTextAsync(path, config.Replace("{port}", port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{adminPort}", adminPort.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "edge.dll"));
        start.ArgumentList.Add("run");
        start.ArgumentList.Add("--config");
        start.ArgumentList.Add(path);
        var edge = new EdgeProcess(Process.Start(start)!, directory, port, adminPort);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            if (edge.HasExited) throw new InvalidOperationException("edge exited at start:\n" + edge.Output);
            try
            {
                using var ready = await http.GetAsync($"http://127.0.0.1:{adminPort}/ready");
                if (ready.IsSuccessStatusCode) return edge;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            if (DateTime.UtcNow > deadline)
            {
                await edge.DisposeAsync();
                throw new InvalidOperationException("edge did not become ready:\n" + edge.Output);
            }
            await Task.Delay(50);
        }
    }

    /// <summary>One sample's value from /metrics (the first line starting with <paramref name="sample"/>), or null.</summary>
    public async Task<double?> MetricAsync(HttpClient http, string sample)
    {
        var text = await http.GetStringAsync($"http://127.0.0.1:{AdminPort}/metrics");
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(sample + " ", StringComparison.Ordinal))
                return double.Parse(line[(sample.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        }
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
                await term.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill();
            }
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
