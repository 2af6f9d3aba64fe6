namespace EdgeServer.Observability;

/// <summary>Per-cluster cells, resolved once (e.g. when the cluster is built) so the data path records without a lookup.</summary>
internal sealed class UpstreamMetrics
{
    private readonly LatencyHistogram _responseLatency = new();

    public UpstreamMetrics(string cluster) { Cluster = cluster; }

    public string Cluster { get; }

    /// <summary>Time from request head sent upstream to response head received.</summary>
    public void RecordLatency(TimeSpan latency) => _responseLatency.Record(latency);

    internal LatencyHistogram ResponseLatency => _responseLatency;
}
