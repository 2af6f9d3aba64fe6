using System.IO.Pipelines;

namespace EdgeServer.Upstream.Transport;

/// <summary>
/// A connected upstream byte stream as two pipes: plain sockets (<see cref="SocketPipeConnection"/>) or
/// TLS (<see cref="SslPipeConnection"/>). <c>UpstreamConnection</c> caches the pipes at construction, so
/// the data path reads and writes them with no call through this interface; only abort and disposal go through it.
/// </summary>
internal interface IUpstreamTransport : IAsyncDisposable
{
    /// <summary>Completes on the peer's end of stream; with an exception on a reset, an error or <see cref="Abort"/>.</summary>
    PipeReader Input { get; }

    PipeWriter Output { get; }

    /// <summary>Closes the socket now: pending receives and sends fail, and the transport's loops end.</summary>
    void Abort();
}
