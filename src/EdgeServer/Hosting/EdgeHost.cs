using System.Net;
using EdgeServer.Admin;
using EdgeServer.Builtin;
using EdgeServer.Config;
using EdgeServer.Config.Model;
using EdgeServer.Connections;
using EdgeServer.Observability;
using EdgeServer.Runtime;
using EdgeServer.ApiKeys;
using EdgeServer.RateLimiting;
using EdgeServer.RateLimiting.Global;
using EdgeServer.Tls;
using EdgeServer.Waf;
using EdgeServer.Upstream;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EdgeServer.Hosting;

/// <summary>
/// The running daemon: Kestrel bound to the configured listeners with our connection handlers (its HTTP
/// layer never runs), the admin listener, the optional built-in echo backend, and config reload.
/// </summary>
internal sealed partial class EdgeHost : IAsyncDisposable
{
    private readonly WebApplication _kestrel;
    private readonly EdgeRuntime _runtime;
    private readonly ConnectionHeartbeat _heartbeat;
    private readonly AccessLogSink? _accessLog;
    private readonly EchoBackend? _echo;
    private readonly ILogger _logger;
    private readonly Lock _reloadLock = new();
    private volatile bool _ready;

    private EdgeHost(WebApplication kestrel, EdgeRuntime runtime, ConnectionHeartbeat heartbeat, EdgeMetrics metrics,
        AccessLogSink? accessLog, EchoBackend? echo, ILogger logger)
    {
        _kestrel = kestrel;
        _runtime = runtime;
        _heartbeat = heartbeat;
        Metrics = metrics;
        _accessLog = accessLog;
        _echo = echo;
        _logger = logger;
    }

    public EdgeMetrics Metrics { get; }
    public RuntimeSnapshot Snapshot => _runtime.Current;
    public IReadOnlyList<IPEndPoint> ListenerEndpoints { get; private set; } = [];
    public IPEndPoint? AdminEndpoint { get; private set; }
    public string? ConfigPath { get; private init; }
    /// <summary>TLS state by listener name, for TLS listeners.</summary>
    internal IReadOnlyDictionary<string, TlsTerminator> Terminators { get; private init; } = new Dictionary<string, TlsTerminator>();

    public static async Task<EdgeHost> StartAsync(EdgeConfig config, string? configPath, ILoggerFactory loggerFactory, CancellationToken cancellationToken = default)
    {
        var logger = loggerFactory.CreateLogger("edge");
        var metrics = new EdgeMetrics();
        var clusters = new ClusterRegistry(responseLimits: RuntimeSnapshot.ResponseLimitsOf(config.Limits));
        var waf = new WafEngine(logger);
        var globalLimits = new GlobalLimitEngine(TimeProvider.System, logger);
        var rateLimits = new RateLimitEngine(TimeProvider.System, globalLimits);
        var apiKeys = new ApiKeyEngine(TimeProvider.System, globalLimits, logger);
        var runtime = new EdgeRuntime(metrics, clusters, waf, rateLimits, apiKeys);
        try
        {
            runtime.Apply(config);
        }
        catch
        {
            waf.Dispose();
            apiKeys.Dispose();
            await globalLimits.DisposeAsync();
            await clusters.DisposeAsync();
            throw;
        }
        await globalLimits.WaitForRedisAsync();
        var gate = new WafGate(waf, logger);
        metrics.RegisterFamilyWriter(w => waf.Metrics.Write(w, waf.Counters, waf));
        metrics.RegisterFamilyWriter(w => RateLimitMetrics.Write(w, rateLimits));
        metrics.RegisterFamilyWriter(w => GlobalLimitMetrics.Write(w, globalLimits));
        metrics.RegisterFamilyWriter(runtime.WebSockets.Write);
        metrics.RegisterFamilyWriter(runtime.WebSocketApis.Write);
        metrics.RegisterGaugeSource(new UpstreamGauges(clusters).Write);

        EchoBackend? echo = null;
        if (config.EchoBackend.Enabled)
        {
            echo = await EchoBackend.StartAsync(config.EchoBackend.Address, cancellationToken);
        }

        var accessLog = config.AccessLog.Enabled ? new AccessLogSink(config.AccessLog, metrics) : null;
        var heartbeat = new ConnectionHeartbeat();
        waf.ConnectionAclsChanged += () => CloseBlockedConnections(runtime, heartbeat, gate, logger);
        var admission = new ConnectionAdmission();
        var terminators = new Dictionary<string, TlsTerminator>(StringComparer.Ordinal);
        foreach (var listener in config.Listeners)
        {
            // Certificates were checked when the config loaded; a file broken since then fails the start here.
            if (listener.Tls is not null) terminators[listener.Name] = new TlsTerminator(listener, metrics.ForTls(listener.Name), logger, TimeProvider.System);
        }
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseShutdownTimeout(TimeSpan.FromSeconds(10));
        // Our handlers never block: run them on the socket I/O threads rather than hopping to the thread
        // pool for every read and write (upstream sockets do the same: SocketOperation; docs/performance.md).
        builder.WebHost.UseSockets(o => o.UnsafePreferInlineScheduling = true);
        builder.Services.AddSingleton<IMemoryPoolFactory<byte>, LargeBlockPoolFactory>();
        var bound = new List<ListenOptions>();
        ListenOptions? adminBound = null;
        EdgeHost? host = null;
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            foreach (var listener in config.Listeners)
            {
                var handler = new EdgeConnectionHandler(listener, runtime, terminators.GetValueOrDefault(listener.Name), gate, heartbeat, admission, metrics, accessLog, logger);
                k.Listen(listener.Address, o =>
                {
                    o.Protocols = HttpProtocols.Http1;
                    o.Run(handler.OnConnectedAsync);
                    bound.Add(o);
                });
            }
            if (config.Admin.Enabled)
            {
                var admin = new AdminConnectionHandler(runtime, metrics, () => host?._ready ?? false);
                k.Listen(config.Admin.Address, o =>
                {
                    o.Protocols = HttpProtocols.Http1;
                    o.Run(admin.OnConnectedAsync);
                    adminBound = o;
                });
            }
        });
        var app = builder.Build();
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            if (echo is not null) await echo.DisposeAsync();
            if (accessLog is not null) await accessLog.DisposeAsync();
            heartbeat.Dispose();
            foreach (var t in terminators.Values) t.Dispose();
            waf.Dispose();
            apiKeys.Dispose();
            await globalLimits.DisposeAsync();
            await clusters.DisposeAsync();
            throw;
        }
        await globalLimits.WaitForRedisAsync();

        host = new EdgeHost(app, runtime, heartbeat, metrics, accessLog, echo, logger)
        {
            Terminators = terminators,
            ConfigPath = configPath,
            ListenerEndpoints = bound.Select(o => o.IPEndPoint!).ToArray(),
            AdminEndpoint = adminBound?.IPEndPoint,
        };
        host._ready = true;
        for (var i = 0; i < config.Listeners.Count; i++)
            LogListening(logger, config.Listeners[i].Tls is null ? "http" : "https", host.ListenerEndpoints[i].ToString());
        if (host.AdminEndpoint is { } a) LogAdmin(logger, a.ToString());
        return host;
    }

    /// <summary>
    /// Loads the config file again and applies it if, and only if, it is entirely valid; otherwise the
    /// running config stays and every error is logged with file, line and column.
    /// </summary>
    public ConfigLoadResult Reload()
    {
        if (ConfigPath is null)
        {
            var none = new ConfigLoadResult(null, [new ConfigError(new SourceMark(DefaultConfig.SourceName, 0, 0), "running on the embedded default config: nothing to reload")]);
            return none;
        }
        lock (_reloadLock)
        {
            var result = ConfigLoader.LoadFile(ConfigPath);
            if (!result.Ok)
            {
                foreach (var error in result.Errors) LogReloadError(_logger, error.ToString());
                Metrics.ConfigReload(false);
                return result;
            }
            var restart = _runtime.RestartRequiredReason(result.Config!);
            if (restart is not null)
            {
                LogReloadError(_logger, $"{ConfigPath}: {restart}; the running config stays");
                Metrics.ConfigReload(false);
                return new ConfigLoadResult(null, [new ConfigError(new SourceMark(ConfigPath, 1, 1), restart)]);
            }
            try
            {
                // Every listener's TLS files load before anything changes: one bad file refuses the whole reload.
                var materials = new List<(TlsTerminator, TlsMaterial)>();
                foreach (var listener in result.Config!.Listeners)
                {
                    if (listener.Tls is not null && Terminators.TryGetValue(listener.Name, out var terminator))
                        materials.Add((terminator, terminator.Load(listener.Tls)));
                }
                var snapshot = _runtime.Apply(result.Config!);
                foreach (var (terminator, material) in materials) terminator.Install(material);
                CloseBlockedConnections(_runtime, _heartbeat, new WafGate(_runtime.Waf, _logger), _logger);
                Metrics.ConfigReload(true);
                LogReloaded(_logger, snapshot.Generation, ConfigPath);
                _accessLog?.Reopen();
                return result;
            }
            catch (Exception ex)
            {
                LogReloadError(_logger, $"{ConfigPath}: {ex.Message}; the running config stays");
                Metrics.ConfigReload(false);
                return new ConfigLoadResult(null, [new ConfigError(new SourceMark(ConfigPath, 1, 1), ex.Message)]);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _ready = false;
        await _kestrel.StopAsync();
        await _kestrel.DisposeAsync();
        _heartbeat.Dispose();
        _runtime.WebSocketApis.Dispose();
        foreach (var terminator in Terminators.Values) terminator.Dispose();
        _runtime.Waf.Dispose();
        _runtime.ApiKeys.Dispose();
        await _runtime.RateLimits.Global.DisposeAsync();
        if (_echo is not null) await _echo.DisposeAsync();
        if (_accessLog is not null) await _accessLog.DisposeAsync();
        await _runtime.Clusters.DisposeAsync();
    }

    /// <summary>
    /// After connection ACLs changed (a rule file, IP set or geo database reload, or a config reload): open
    /// connections whose address a listener's connection ACL now blocks are closed, not left to finish.
    /// </summary>
    private static void CloseBlockedConnections(EdgeRuntime runtime, ConnectionHeartbeat heartbeat, WafGate gate, ILogger logger)
    {
        var snapshot = runtime.Current;
        foreach (var connection in heartbeat.Connections)
        {
            if (snapshot.Waf.Listener(connection.Listener.Name).Connection is not { } slot) continue;
            if (gate.AdmitConnection(slot, connection.ClientAddressBytes, out var verdict)) continue;
            gate.Engine.Metrics.ConnectionClosed();
            LogWafClosed(logger, connection.Listener.Name, connection.ClientIp?.ToString() ?? "unknown", verdict.Rule?.Name ?? "(default action)");
            connection.Context.Abort(new Microsoft.AspNetCore.Connections.ConnectionAbortedException("blocked by the connection ACL"));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "waf: closed a connection on listener {Listener} from {ClientIp}: the reloaded connection ACL blocks it (rule {Rule})")]
    private static partial void LogWafClosed(ILogger logger, string listener, string clientIp, string rule);

    [LoggerMessage(Level = LogLevel.Information, Message = "listening on {Scheme}://{Endpoint}")]
    private static partial void LogListening(ILogger logger, string scheme, string endpoint);

    [LoggerMessage(Level = LogLevel.Information, Message = "admin listener on http://{Endpoint} (/healthz /ready /metrics /config)")]
    private static partial void LogAdmin(ILogger logger, string endpoint);

    [LoggerMessage(Level = LogLevel.Error, Message = "config reload refused: {Error}")]
    private static partial void LogReloadError(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "config generation {Generation} applied from {Path}")]
    private static partial void LogReloaded(ILogger logger, long generation, string path);
}
