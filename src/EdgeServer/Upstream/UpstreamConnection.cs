using System.IO.Pipelines;
using EdgeServer.Protocol.Http1;
using EdgeServer.Upstream.Transport;

namespace EdgeServer.Upstream;

/// <summary>One TCP connection to a destination, leased to one request at a time.</summary>
internal sealed class UpstreamConnection : IAsyncDisposable
{
    private readonly IUpstreamTransport _transport;

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
    public PipeReader Input { get; }
    public PipeWriter Output { get; }

    /// <summary>The limits <see cref="Response"/> was sized for: responses on this connection are parsed with exactly these.</summary>
    public HttpParserLimits ResponseLimits { get; }

    /// <summary>Reused for every response on this connection.</summary>
    public ResponseHead Response { get; }

    /// <summary>Requests completed on this connection; 0 while serving its first.</summary>
    public int CompletedRequests { get; set; }

    /// <summary>When it was last returned to the pool (TimeProvider timestamp).</summary>
    public long IdleSince { get; set; }

    public void Abort() => _transport.Abort();

    public ValueTask DisposeAsync() => _transport.DisposeAsync();
}
