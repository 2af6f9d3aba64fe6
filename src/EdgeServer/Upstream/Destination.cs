using EdgeServer.Config.Model;
using EdgeServer.Protocol.Http1;
using EdgeServer.Upstream.Tls;

namespace EdgeServer.Upstream;

/// <summary>
/// One backend address of a cluster: its pool of keep-alive connections, its in-flight count (for
/// power-of-two-choices) and its health (passive ejection, active probes).
/// The pool lives in Destination.Pool.cs.
/// </summary>
internal sealed partial class Destination
{
    private readonly ClusterConfig _config;
    private readonly TimeProvider _time;
    private readonly UpstreamConnectionFactory _factory;
    private readonly HttpParserLimits _responseLimits;
    private readonly PassiveHealthTracker _passive;
    private readonly ActiveHealthTracker? _active;

    public Destination(
        DnsOrIpEndPoint address,
        ClusterConfig config,
        TimeProvider? timeProvider = null,
        UpstreamConnectionFactory? connectionFactory = null,
        HttpParserLimits? responseLimits = null)
    {
        Address = address;
        AddressText = address.ToString();
        _config = config;
        _time = timeProvider ?? TimeProvider.System;
        _factory = connectionFactory ?? UpstreamConnectionFactory.Shared;
        _responseLimits = responseLimits ?? HttpParserLimits.Default;
        _passive = new PassiveHealthTracker(config.PassiveHealth, _time);
        _active = config.ActiveHealth is { } active ? new ActiveHealthTracker(active) : null;
        Tls = config.Tls is { } tls ? new UpstreamTlsClient(tls, address) : null;
        _idle = new IdleConnectionStack(config.MaxIdlePerDestination);
        _idleTimeoutTicks = Timestamps.FromTimeSpan(config.IdleTimeout, _time);
    }

    public DnsOrIpEndPoint Address { get; }
    public string AddressText { get; }

    /// <summary>How connections and health probes to this destination speak TLS; null: plain HTTP.</summary>
    public UpstreamTlsClient? Tls { get; }

    /// <summary>Requests currently holding a connection to this destination (or waiting for one).</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Not ejected by passive health and not marked down by active probes.</summary>
    public bool IsHealthy => _active is not { IsDown: true } && !_passive.IsEjected;

    /// <summary>Ejected by passive health right now.</summary>
    public bool IsEjected => _passive.IsEjected;

    /// <summary>Marked down by active probes (false when active health is off).</summary>
    public bool IsActivelyDown => _active is { IsDown: true };

    /// <summary>Passive health: a request completed (resets the consecutive-failure count).</summary>
    public void ReportSuccess() => _passive.ReportSuccess();

    /// <summary>Passive health: connect failure, reset, timeout or malformed response.</summary>
    public void ReportFailure() => _passive.ReportFailure();

    /// <summary>Active health: one probe's outcome (ignored when the cluster has no active health config).</summary>
    public void ReportProbe(bool passed) => _active?.Report(passed);

    public DestinationStats GetStats(string cluster) =>
        new(cluster, AddressText, OpenConnections, IdleConnections, InFlight, IsHealthy);

    public override string ToString() => AddressText;
}
