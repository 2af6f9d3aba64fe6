using System.Net.Sockets;
using EdgeServer.Config.Model;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeServer.Upstream;

/// <summary>
/// Connects sockets to destinations and wraps them as pipe-based connections with Kestrel's socket
/// transport, so upstream I/O uses the same pooled pinned buffers and I/O queues as the listeners.
/// One instance process-wide (<see cref="Shared"/>): the factory owns memory pools and I/O queues,
/// which are meant to be shared, not multiplied per cluster.
/// </summary>
internal sealed class UpstreamConnectionFactory : IDisposable
{
    private readonly SocketConnectionContextFactory _contexts;

    public UpstreamConnectionFactory(SocketConnectionFactoryOptions? options = null)
    {
        // WaitForDataBeforeAllocatingBuffer (the default) matters here: idle pooled connections park on a
        // zero-byte read and hold no buffer.
        _contexts = new SocketConnectionContextFactory(options ?? new SocketConnectionFactoryOptions(), NullLogger.Instance);
    }

    /// <summary>The process-wide factory; lives as long as the process.</summary>
    /// <summary>
    /// Inline scheduling: pipe continuations run on the socket's I/O thread instead of hopping to the
    /// thread pool. The data path never blocks, and on few cores each hop is a context switch (measured:
    /// the hops, not our code, dominated CPU before this; docs/performance.md).
    /// </summary>
    public static UpstreamConnectionFactory Shared { get; } = new(new SocketConnectionFactoryOptions { UnsafePreferInlineScheduling = true });

    /// <summary>
    /// A connected, started connection, within <paramref name="timeout"/> (measured on <paramref name="timeProvider"/>).
    /// Throws <see cref="UpstreamConnectException"/> (timed out or not), or <see cref="OperationCanceledException"/>
    /// when <paramref name="cancellationToken"/> (the caller giving up) fired first.
    /// </summary>
    public async ValueTask<ConnectionContext> ConnectAsync(
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
        return _contexts.Create(socket);
    }

    public void Dispose() => _contexts.Dispose();
}
