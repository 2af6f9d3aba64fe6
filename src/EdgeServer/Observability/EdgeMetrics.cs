namespace EdgeServer.Observability;

/// <summary>
/// Process-wide metrics: lock-free cells updated on the data path, rendered in the Prometheus text
/// exposition format on scrape.
/// </summary>
internal sealed class EdgeMetrics
{
    /// <summary>The same cells for the same route name across config reloads.</summary>
    public RouteMetrics ForRoute(string routeName) => throw new NotImplementedException();

    /// <summary>Requests that matched no route (404) or were refused before routing (parse errors).</summary>
    public RouteMetrics Unrouted => throw new NotImplementedException();

    public void ConnectionOpened() => throw new NotImplementedException();
    public void ConnectionClosed() => throw new NotImplementedException();
    public void AddBytesIn(long bytes) => throw new NotImplementedException();
    public void AddBytesOut(long bytes) => throw new NotImplementedException();

    /// <summary>Time from request head sent upstream to response head received, per cluster.</summary>
    public void RecordUpstreamLatency(string cluster, TimeSpan latency) => throw new NotImplementedException();

    public void SetConfigGeneration(long generation) => throw new NotImplementedException();
    public void ConfigReload(bool succeeded) => throw new NotImplementedException();

    /// <summary>Gauges read at scrape time (pool sizes and the like).</summary>
    public void RegisterGaugeSource(Action<GaugeWriter> source) => throw new NotImplementedException();

    /// <summary>Writes all metrics as Prometheus text (version 0.0.4).</summary>
    public void WritePrometheus(System.Buffers.IBufferWriter<byte> output) => throw new NotImplementedException();
}

/// <summary>Handed to gauge sources at scrape time.</summary>
internal abstract class GaugeWriter
{
    /// <summary>One sample of a gauge with one label, e.g. ("edge_upstream_pool_idle", "Idle pooled connections", "destination", "10.0.0.1:80", 3).</summary>
    public abstract void Write(string name, string help, string labelName, string labelValue, double value);
}
