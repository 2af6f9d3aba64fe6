using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;

namespace EdgeServer.Tls;

/// <summary>
/// One established TLS connection: the decrypted pipes that replace the connection's transport, the client
/// identity, and a way to cut it off when its certificate stops being trusted.
/// </summary>
internal sealed class TlsSession(ConnectionContext context, TlsServerStream stream, PipeReader input, PipeWriter output) : IDuplexPipe
{
    public PipeReader Input { get; } = input;
    public PipeWriter Output { get; } = output;
    public ClientIdentity? Identity => stream.Identity;
    public TlsMaterial Material => stream.Material;
    public string ConnectionId => context.ConnectionId;
    public System.Net.EndPoint? RemoteEndPoint => context.RemoteEndPoint;
    public System.Security.Authentication.SslProtocols Protocol => stream.SslProtocol;

    /// <summary>Closes the connection at once (a revoked or distrusted client certificate).</summary>
    public void Abort(string reason) => context.Abort(new ConnectionAbortedException(reason));

    /// <summary>How long a close waits to hand its close_notify to the transport (a client that stopped reading gets none).</summary>
    private static readonly TimeSpan s_closeNotifyTimeout = TimeSpan.FromSeconds(1);

    public async ValueTask DisposeAsync()
    {
        await Input.CompleteAsync().ConfigureAwait(false);
        await Output.CompleteAsync().ConfigureAwait(false);
        // close_notify, as nginx and HAProxy send it: OpenSSL 3 clients treat a TLS connection that ends
        // without it as truncated and drop its session, so the next connection pays a full handshake.
        if (!context.ConnectionClosed.IsCancellationRequested)
        {
            try
            {
                await stream.ShutdownAsync().WaitAsync(s_closeNotifyTimeout).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or TimeoutException or InvalidOperationException
                or System.Security.Authentication.AuthenticationException or OperationCanceledException)
            {
                // The peer is gone or not reading: nothing more to say to it.
            }
        }
        await stream.DisposeAsync().ConfigureAwait(false);
    }
}
