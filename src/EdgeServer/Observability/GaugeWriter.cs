namespace EdgeServer.Observability;

/// <summary>Handed to gauge sources at scrape time.</summary>
internal abstract class GaugeWriter
{
    /// <summary>One sample of a gauge with one label, e.g. ("edge_upstream_pool_idle", "Idle pooled connections", "destination", "10.0.0.1:80", 3).</summary>
    public abstract void Write(string name, string help, string labelName, string labelValue, double value);
}
