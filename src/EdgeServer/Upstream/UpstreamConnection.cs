using System.IO.Pipelines;
using EdgeServer.Protocol.Http1;
using EdgeServer.Upstream.Transport;

namespace EdgeServer.Upstream;

/// <summary>One TCP connection to a destination, leased to one request at a time.</summary>
internal sealed class UpstreamConnection : IAsyncDisposable
{
    private readonly SocketPipeConnection _connection;

    public UpstreamConnection(SocketPipeConnection connection, Destination destination, in HttpParserLimits responseLimits)
    {
        _connection = connection;
        Destination = destination;
        ResponseLimits = responseLimits;
        Response = new ResponseHead(responseLimits);
    }

    public Destination Destination { get; }
    public PipeReader Input => _connection.Input;
    public PipeWriter Output => _connection.Output;

    /// <summary>The limits <see cref="Response"/> was sized for: responses on this connection are parsed with exactly these.</summary>
    public HttpParserLimits ResponseLimits { get; }

    /// <summary>Reused for every response on this connection.</summary>
    public ResponseHead Response { get; }

    /// <summary>Requests completed on this connection; 0 while serving its first.</summary>
    public int CompletedRequests { get; set; }

    /// <summary>When it was last returned to the pool (TimeProvider timestamp).</summary>
    public long IdleSince { get; set; }

    public void Abort() => _connection.Abort();

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
