using EdgeServer.Config.Model;

namespace EdgeServer.Upstream;

/// <summary>
/// One backend address of a cluster: its pool of keep-alive connections, its in-flight count (for
/// power-of-two-choices) and its health (passive ejection, active probes).
/// </summary>
internal sealed class Destination
{
    public Destination(DnsOrIpEndPoint address) { Address = address; AddressText = address.ToString(); }

    public DnsOrIpEndPoint Address { get; }
    public string AddressText { get; }

    /// <summary>Requests currently holding a connection to this destination.</summary>
    public int InFlight => throw new NotImplementedException();

    /// <summary>Not ejected by passive health and not marked down by active probes.</summary>
    public bool IsHealthy => throw new NotImplementedException();

    public int IdleConnections => throw new NotImplementedException();
    public int OpenConnections => throw new NotImplementedException();

    /// <summary>
    /// A pooled idle connection that is still open, or a new one (connect timeout from the cluster).
    /// Counts the request as in flight until <see cref="Release"/>. Throws <see cref="UpstreamConnectException"/>.
    /// </summary>
    public ValueTask<UpstreamConnection> AcquireAsync(CancellationToken cancellationToken) => throw new NotImplementedException();

    /// <summary>Ends the request: back to the pool when <paramref name="reusable"/>, else closed.</summary>
    public void Release(UpstreamConnection connection, bool reusable) => throw new NotImplementedException();

    /// <summary>Passive health: a request completed (resets the consecutive-failure count).</summary>
    public void ReportSuccess() => throw new NotImplementedException();

    /// <summary>Passive health: connect failure, reset, timeout or malformed response.</summary>
    public void ReportFailure() => throw new NotImplementedException();
}
