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

    public async ValueTask DisposeAsync()
    {
        await Input.CompleteAsync().ConfigureAwait(false);
        await Output.CompleteAsync().ConfigureAwait(false);
        await stream.DisposeAsync().ConfigureAwait(false);
    }
}
