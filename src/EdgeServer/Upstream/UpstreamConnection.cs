using System.IO.Pipelines;
using EdgeServer.Protocol.Http1;
using EdgeServer.Upstream.Transport;

namespace EdgeServer.Upstream;

/// <summary>One TCP connection to a destination, leased to one request at a time.</summary>
internal sealed class UpstreamConnection : IAsyncDisposable
{
    private IUpstreamTransport _transport;

    public UpstreamConnection(IUpstreamTransport transport, Destination destination, in HttpParserLimits responseLimits)
    {
        _transport = transport;
        // Cached once: the data path reads fields, never calls through the transport interface.
        Input = transport.Input;
        Output = transport.Output;
        Destination = destination;
        ResponseLimits = responseLimits;
        Response = new ResponseHead(responseLimits);
    }

    public Destination Destination { get; }
    public PipeReader Input { get; private set; }
    public PipeWriter Output { get; private set; }

    /// <summary>The limits <see cref="Response"/> was sized for: responses on this connection are parsed with exactly these.</summary>
    public HttpParserLimits ResponseLimits { get; }

    /// <summary>Reused for every response on this connection.</summary>
    public ResponseHead Response { get; }

    /// <summary>Requests completed on this connection; 0 while serving its first.</summary>
    public int CompletedRequests { get; set; }

    /// <summary>When it was last returned to the pool (TimeProvider timestamp).</summary>
    public long IdleSince { get; set; }

    public void Abort() => _transport.Abort();

    /// <summary>
    /// Plain TCP only (null for TLS): stops the transport's loops and hands its socket over for direct use, so the
    /// caller no longer holds pipes or loops. <see cref="Input"/> and <see cref="Output"/> are unusable afterwards;
    /// <see cref="Abort"/> and disposal close the socket as before. The connection never returns to the pool.
    /// </summary>
    public async ValueTask<DetachedSocket?> DetachSocketAsync()
    {
        if (_transport is not SocketPipeConnection plain) return null;
        var detached = await plain.DetachAsync().ConfigureAwait(false);
        _transport = detached;
        Input = detached.Input;
        Output = detached.Output;
        return detached;
    }

    public ValueTask DisposeAsync() => _transport.DisposeAsync();
}
