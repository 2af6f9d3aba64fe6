using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Security.Authentication;
using EdgeServer.Config.Model;
using EdgeServer.Hosting;
using EdgeServer.Observability;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;

namespace EdgeServer.Tls;

/// <summary>
/// TLS for one listener: runs handshakes (bounded in time and in number), swaps in reloaded certificates,
/// CA bundles and CRLs without touching open connections, and closes the open connections whose client
/// certificate a reload revoked or distrusted.
/// </summary>
internal sealed partial class TlsTerminator : IDisposable
{
    private readonly string _listener;
    private readonly TlsMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, TlsSession> _authenticated = new(StringComparer.Ordinal);
    private readonly Lock _reloadLock = new();
    private volatile TlsMaterial _material;
    private FileSetWatcher? _watcher;
    private int _handshakes;

    public TlsTerminator(ListenerConfig listener, TlsMetrics metrics, ILogger logger, TimeProvider time)
    {
        _listener = listener.Name;
        _metrics = metrics;
        _logger = logger;
        _time = time;
        _material = Load(listener.Tls!);
        Watch(listener.Tls!);
    }

    public TlsMaterial Material => _material;

    /// <summary>Open connections that presented a client certificate.</summary>
    public int AuthenticatedConnections => _authenticated.Count;

    /// <summary>Loads the files of <paramref name="config"/>; throws <see cref="TlsFileException"/>. Nothing changes until <see cref="Install"/>.</summary>
    public TlsMaterial Load(ListenerTlsConfig config)
    {
        var material = TlsMaterial.Load(config, _time, TlsServerStream.Validate);
        if (material.Validator is { } validator)
        {
            // Once per CRL and load: a stale CRL is consulted on every handshake and would flood the log.
            var logged = new ConcurrentDictionary<object, byte>(ReferenceEqualityComparer.Instance);
            validator.StaleCrlUsed += crl =>
            {
                if (logged.TryAdd(crl, 0)) LogStaleCrl(_logger, _listener, crl.Issuer.Name, crl.NextUpdate);
            };
        }
        return material;
    }

    /// <summary>Makes <paramref name="material"/> the one new handshakes use and re-checks open connections against it.</summary>
    public void Install(TlsMaterial material)
    {
        lock (_reloadLock)
        {
            var previous = _material;
            _material = material;
            if (!ReferenceEquals(previous.Config, material.Config)) Watch(material.Config);
            Recheck(material);
        }
    }

    /// <summary>
    /// Handshakes on the connection's transport. Null: it failed (counted and logged) and the caller just
    /// returns; the transport is left for Kestrel to close.
    /// </summary>
    public async ValueTask<TlsSession?> HandshakeAsync(ConnectionContext context, string clientIp)
    {
        var material = _material;
        if (Interlocked.Increment(ref _handshakes) > material.Config.MaxConcurrentHandshakes)
        {
            Interlocked.Decrement(ref _handshakes);
            Failed(TlsFailure.TooManyHandshakes, clientIp, null);
            return null;
        }
        _metrics.HandshakeStarted();
        var stream = new TlsServerStream(new DuplexPipeStream(context.Transport), material);
        var failure = TlsFailure.None;
        string? detail = null;
        try
        {
            using var timeout = new CancellationTokenSource(material.Config.HandshakeTimeout, _time);
            try
            {
                await stream.AuthenticateAsServerAsync(TlsServerStream.SelectOptions, stream, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                failure = TlsFailure.HandshakeTimeout;
            }
            catch (Exception ex) when (ex is AuthenticationException or IOException or ConnectionResetException or ConnectionAbortedException or OperationCanceledException)
            {
                failure = stream.Failure != TlsFailure.None ? stream.Failure : TlsFailure.Protocol;
                detail = ex.InnerException?.Message ?? ex.Message;
            }
        }
        finally
        {
            Interlocked.Decrement(ref _handshakes);
            _metrics.HandshakeEnded();
        }
        if (failure != TlsFailure.None)
        {
            Failed(failure, clientIp, detail);
            await stream.DisposeAsync().ConfigureAwait(false);
            return null;
        }

        _metrics.HandshakeSucceeded();
        // The decrypted pipes use the listener's 32 KiB blocks, so a read takes up to two TLS records at once.
        // Zero-byte reads: an idle connection (keep-alive, or a relayed WebSocket that may idle for hours) waits for
        // data without holding a block, as the plain sockets do.
        var pool = context.Features.Get<IMemoryPoolFeature>()?.MemoryPool;
        var blockSize = pool is { MaxBufferSize: > 0 } ? pool.MaxBufferSize : 16 * 1024;
        var input = PipeReader.Create(stream, new StreamPipeReaderOptions(pool, blockSize, minimumReadSize: blockSize / 4, leaveOpen: true, useZeroByteReads: true));
        var output = PipeWriter.Create(stream, new StreamPipeWriterOptions(pool, minimumBufferSize: blockSize / 4, leaveOpen: true));
        var session = new TlsSession(context, stream, input, output);
        if (session.Identity is not null) _authenticated[context.ConnectionId] = session;
        return session;
    }

    /// <summary>The connection is over.</summary>
    public async ValueTask EndAsync(TlsSession session)
    {
        _authenticated.TryRemove(session.ConnectionId, out _);
        await session.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>A watched file changed: reload everything, or keep what runs when any file is bad.</summary>
    public void ReloadFiles()
    {
        lock (_reloadLock)
        {
            TlsMaterial material;
            try
            {
                material = Load(_material.Config);
            }
            catch (TlsFileException ex)
            {
                _metrics.MaterialReloaded(false);
                LogReloadFailed(_logger, _listener, ex.Message);
                return;
            }
            _material = material;
            _metrics.MaterialReloaded(true);
            LogReloaded(_logger, _listener);
            Recheck(material);
        }
    }

    private void Recheck(TlsMaterial material)
    {
        foreach (var session in _authenticated.Values)
        {
            var identity = session.Identity!;
            // A listener that stopped asking for certificates keeps its authenticated connections: nothing distrusts them.
            var failure = material.Validator?.Recheck(identity) ?? TlsFailure.None;
            if (failure == TlsFailure.None) continue;
            _metrics.ClosedOnRecheck(failure);
            LogClosed(_logger, _listener, session.ConnectionId, identity.Subject, TlsFailures.Describe(failure));
            _authenticated.TryRemove(session.ConnectionId, out _);
            session.Abort(TlsFailures.Describe(failure));
        }
    }

    private void Failed(TlsFailure failure, string clientIp, string? detail)
    {
        _metrics.HandshakeFailed(failure);
        LogHandshakeFailed(_logger, _listener, clientIp, TlsFailures.Label(failure), detail ?? TlsFailures.Describe(failure));
    }

    private void Watch(ListenerTlsConfig config)
    {
        _watcher?.Dispose();
        _watcher = new FileSetWatcher(TlsMaterial.FilesOf(config), ReloadFiles);
    }

    public void Dispose() => _watcher?.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "tls handshake failed on listener {Listener} from {ClientIp}: {Reason} ({Detail})")]
    private static partial void LogHandshakeFailed(ILogger logger, string listener, string clientIp, string reason, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "listener {Listener}: closed connection {ConnectionId} of '{Subject}': {Reason}")]
    private static partial void LogClosed(ILogger logger, string listener, string connectionId, string subject, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "listener {Listener}: certificates, CA bundles and CRLs reloaded")]
    private static partial void LogReloaded(ILogger logger, string listener);

    [LoggerMessage(Level = LogLevel.Error, Message = "listener {Listener}: TLS files not reloaded, the running ones stay: {Error}")]
    private static partial void LogReloadFailed(ILogger logger, string listener, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "listener {Listener}: the CRL of '{Issuer}' is past its nextUpdate ({NextUpdate})")]
    private static partial void LogStaleCrl(ILogger logger, string listener, string issuer, DateTimeOffset? nextUpdate);
}
