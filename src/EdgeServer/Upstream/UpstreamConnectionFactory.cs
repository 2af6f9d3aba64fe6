using System.Net.Sockets;
using EdgeServer.Config.Model;
using EdgeServer.Upstream.Tls;
using EdgeServer.Upstream.Transport;

namespace EdgeServer.Upstream;

/// <summary>
/// Connects sockets to destinations and wraps them as pipe-based connections: plain
/// (<see cref="SocketPipeConnection"/>), or after a TLS handshake (<see cref="SslPipeConnection"/>). Not Kestrel's socket transport: its pool's 4 KiB blocks cap
/// each receive, and with inline scheduling each 4 KiB receive became one 4 KiB send to the client
/// (docs/performance.md finding 4); its pool is not replaceable from outside.
/// </summary>
internal sealed class UpstreamConnectionFactory
{
    /// <summary>The process-wide factory; lives as long as the process.</summary>
    public static UpstreamConnectionFactory Shared { get; } = new();

    /// <summary>
    /// A connected, started connection, within <paramref name="timeout"/> (measured on <paramref name="timeProvider"/>),
    /// which covers the TLS handshake too when <paramref name="tls"/> is set.
    /// Throws <see cref="UpstreamConnectException"/> (timed out or not), or <see cref="OperationCanceledException"/>
    /// when <paramref name="cancellationToken"/> (the caller giving up) fired first.
    /// </summary>
    public async ValueTask<IUpstreamTransport> ConnectAsync(
        DnsOrIpEndPoint endpoint, UpstreamTlsClient? tls, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();
        if (timeout <= TimeSpan.Zero)
            throw new UpstreamConnectException($"connect to {endpoint}: no time left within the connect timeout", timedOut: true);

        using var timeoutSource = new CancellationTokenSource(timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeoutSource.Token, cancellationToken);
        Socket socket;
        try
        {
            socket = await SocketConnector.ConnectAsync(endpoint, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new UpstreamConnectException($"connect to {endpoint} timed out after {timeout.TotalMilliseconds:0} ms", timedOut: true);
        }
        catch (SocketException e)
        {
            // The OS's own SYN retry limit is a timeout too (504), everything else (refused, unreachable,
            // unknown host) is a bad gateway (502).
            var timedOut = e.SocketErrorCode == SocketError.TimedOut;
            throw new UpstreamConnectException($"connect to {endpoint} failed: {e.SocketErrorCode}", timedOut, e);
        }
        if (tls is null) return new SocketPipeConnection(socket);

        // A handshake failure is a connect failure: nothing was sent, so the caller may retry elsewhere.
        var stream = await tls.AuthenticateAsync(socket, endpoint, timeout - timeProvider.GetElapsedTime(started), timeProvider, cancellationToken)
            .ConfigureAwait(false);
        return new SslPipeConnection(socket, stream);
    }
}
