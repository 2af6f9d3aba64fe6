using System.Net;
using System.Net.Sockets;
using EdgeServer.Config.Model;

namespace EdgeServer.Upstream;

/// <summary>
/// Opens a TCP socket to a destination: names resolved at connect time (so DNS changes are picked up
/// by new connections), each address tried in the order the resolver returned it. Errors are left as
/// they are (<see cref="SocketException"/>, <see cref="OperationCanceledException"/>): callers map them.
/// </summary>
internal static class SocketConnector
{
    public static async ValueTask<Socket> ConnectAsync(DnsOrIpEndPoint endpoint, CancellationToken cancellationToken)
    {
        if (endpoint.Ip is { } ip)
            return await ConnectOneAsync(new IPEndPoint(ip, endpoint.Port), cancellationToken).ConfigureAwait(false);

        var addresses = await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken).ConfigureAwait(false);
        if (addresses.Length == 0) throw new SocketException((int)SocketError.HostNotFound);

        SocketException? last = null;
        foreach (var address in addresses)
        {
            try
            {
                return await ConnectOneAsync(new IPEndPoint(address, endpoint.Port), cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                // Refused or unreachable on this address: the next one (e.g. IPv4 after IPv6) may work.
                last = e;
            }
        }
        throw last!;
    }

    private static async ValueTask<Socket> ConnectOneAsync(IPEndPoint endpoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        // Not Socket.ConnectAsync(EndPoint, CancellationToken): it keeps its SocketAsyncEventArgs (~300 B) on the socket
        // for later receives, which our transports never make through it; every pooled connection and every relayed
        // WebSocket would hold one for nothing.
        using var connect = new ConnectOperation(endpoint);
        try
        {
            await connect.RunAsync(socket, cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>One connect with event args of its own, disposed once connected.</summary>
    private sealed class ConnectOperation : SocketAsyncEventArgs
    {
        private readonly TaskCompletionSource _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ConnectOperation(IPEndPoint endpoint) : base(unsafeSuppressExecutionContextFlow: true)
        {
            RemoteEndPoint = endpoint;
        }

        public async Task RunAsync(Socket socket, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (socket.ConnectAsync(this))
            {
                await using (cancellationToken.UnsafeRegister(static state => Socket.CancelConnectAsync((SocketAsyncEventArgs)state!), this))
                {
                    await _completed.Task.ConfigureAwait(false);
                }
            }
            cancellationToken.ThrowIfCancellationRequested();
            if (SocketError != SocketError.Success) throw new SocketException((int)SocketError);
        }

        protected override void OnCompleted(SocketAsyncEventArgs e) => _completed.TrySetResult();
    }
}
