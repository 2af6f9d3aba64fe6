using System.Net;
using EdgeServer.Config;
using EdgeServer.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeServer.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The real daemon (the same host `edge run` starts) on loopback ports chosen by the OS, from a YAML
/// config written to a temp file so reload can be exercised exactly as operators do it.
/// </summary>
internal sealed class EdgeInstance : IAsyncDisposable
{
    private readonly EdgeHost _host;

    private EdgeInstance(EdgeHost host, string configPath)
    {
        _host = host;
        ConfigPath = configPath;
    }

    public EdgeHost Host => _host;
    public string ConfigPath { get; }
    public IPEndPoint Endpoint => _host.ListenerEndpoints[0];
    public Uri BaseUri => new($"http://{Endpoint}");
    public IPEndPoint Admin => _host.AdminEndpoint!;

    /// <summary>Starts edge with <paramref name="yaml"/>; listeners and admin should use port 0.</summary>
    public static async Task<EdgeInstance> StartAsync(string yaml)
    {
        var path = Path.Combine(Path.GetTempPath(), $"edge-test-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(path, yaml);
        var result = ConfigLoader.LoadFile(path);
        Assert.True(result.Ok, "test config invalid: " + string.Join("; ", result.Errors));
        var host = await EdgeHost.StartAsync(result.Config!, path, LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning)));
        return new EdgeInstance(host, path);
    }

    /// <summary>Writes a new config and reloads it the way a file watcher or SIGHUP would.</summary>
    public async Task<ConfigLoadResult> ReloadAsync(string yaml)
    {
        await File.WriteAllTextAsync(ConfigPath, yaml);
        return _host.Reload();
    }

    public HttpClient CreateClient() => new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        BaseAddress = BaseUri,
        Timeout = TimeSpan.FromSeconds(30),
    };

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        File.Delete(ConfigPath);
    }
}
