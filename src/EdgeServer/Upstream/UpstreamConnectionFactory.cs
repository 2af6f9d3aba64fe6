using System.Net.Sockets;
using EdgeServer.Config.Model;
using EdgeServer.Upstream.Transport;

namespace EdgeServer.Upstream;

/// <summary>
/// Connects sockets to destinations and wraps them as pipe-based connections
/// (<see cref="SocketPipeConnection"/>). Not Kestrel's socket transport: its pool's 4 KiB blocks cap
/// each receive, and with inline scheduling each 4 KiB receive became one 4 KiB send to the client
/// (docs/performance.md finding 4); its pool is not replaceable from outside.
/// </summary>
internal sealed class UpstreamConnectionFactory
{
    /// <summary>The process-wide factory; lives as long as the process.</summary>
    public static UpstreamConnectionFactory Shared { get; } = new();

    /// <summary>
    /// A connected, started connection, within <paramref name="timeout"/> (measured on <paramref name="timeProvider"/>).
    /// Throws <see cref="UpstreamConnectException"/> (timed out or not), or <see cref="OperationCanceledException"/>
    /// when <paramref name="cancellationToken"/> (the caller giving up) fired first.
    /// </summary>
    public async ValueTask<SocketPipeConnection> ConnectAsync(
        DnsOrIpEndPoint endpoint, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
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
        return new SocketPipeConnection(socket);
    }
}
