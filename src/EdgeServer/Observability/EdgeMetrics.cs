using System.Buffers;
using System.Collections.Concurrent;

namespace EdgeServer.Observability;

/// <summary>
/// Process-wide metrics: lock-free cells updated on the data path, rendered in the Prometheus text
/// exposition format on scrape.
/// </summary>
/// <remarks>
/// Cells are resolved ahead of time (<see cref="ForRoute"/> when routes are compiled,
/// <see cref="ForCluster"/> when clusters are built), so recording is one or two Interlocked
/// operations and never allocates. Cells are keyed by name and never removed: a reload that keeps a
/// name keeps counting into the same series (counters must not reset), and a route that disappears
/// keeps its last values until restart.
/// </remarks>
internal sealed class EdgeMetrics
{
    /// <summary>
    /// The route label of requests that matched no route or were refused before routing. Empty,
    /// because it can never collide with a real route (route names are non-empty) and Prometheus reads
    /// an empty label value as "no route": select it with <c>{route=""}</c>.
    /// </summary>
    public const string UnroutedRouteLabel = "";

    private readonly ConcurrentDictionary<string, RouteMetrics> _routes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, UpstreamMetrics> _clusters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TlsMetrics> _tls = new(StringComparer.Ordinal);
    private readonly StripedCounter _connectionsOpened = new();
    private readonly StripedCounter _connectionsClosed = new();
    private readonly StripedCounter _bytesIn = new();
    private readonly StripedCounter _bytesOut = new();
    private readonly GaugeSourceRegistry _gaugeSources = new();
    private readonly List<Action<PrometheusTextWriter>> _familyWriters = [];
    private readonly bool _includeProcessMetrics;
    private long _configGeneration;
    private long _reloadSuccesses;
    private long _reloadFailures;
    private long _accessLogDropped;

    public EdgeMetrics() : this(includeProcessMetrics: true) { }

    /// <param name="includeProcessMetrics">False leaves out the process_* and dotnet_* families, whose values change between scrapes (tests compare exact output).</param>
    internal EdgeMetrics(bool includeProcessMetrics)
    {
        _includeProcessMetrics = includeProcessMetrics;
        Unrouted = new RouteMetrics(UnroutedRouteLabel);
    }

    /// <summary>The same cells for the same route name across config reloads.</summary>
    public RouteMetrics ForRoute(string routeName)
    {
        ArgumentException.ThrowIfNullOrEmpty(routeName);
        return _routes.GetOrAdd(routeName, static name => new RouteMetrics(name));
    }

    /// <summary>Requests that matched no route (404) or were refused before routing (parse errors); label route="".</summary>
    public RouteMetrics Unrouted { get; }

    /// <summary>The same cells for the same cluster name across config reloads.</summary>
    public UpstreamMetrics ForCluster(string cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        return _clusters.GetOrAdd(cluster, static name => new UpstreamMetrics(name));
    }

    /// <summary>The same cells for the same TLS listener name across reloads.</summary>
    public TlsMetrics ForTls(string listener) => _tls.GetOrAdd(listener, static name => new TlsMetrics(name));

    public void ConnectionOpened() => _connectionsOpened.Increment();
    public void ConnectionClosed() => _connectionsClosed.Increment();
    public void AddBytesIn(long bytes) => _bytesIn.Add(bytes);
    public void AddBytesOut(long bytes) => _bytesOut.Add(bytes);

    /// <summary>Time from request head sent upstream to response head received, per cluster. A lookup per call: prefer <see cref="ForCluster"/> once.</summary>
    public void RecordUpstreamLatency(string cluster, TimeSpan latency) => ForCluster(cluster).RecordLatency(latency);

    public void SetConfigGeneration(long generation) => Volatile.Write(ref _configGeneration, generation);

    public void ConfigReload(bool succeeded) =>
        Interlocked.Increment(ref succeeded ? ref _reloadSuccesses : ref _reloadFailures);

    /// <summary>Access log records lost (buffer full, sink closed, or write failed); the sink reports here.</summary>
    public void AccessLogRecordsDropped(long records) => Interlocked.Add(ref _accessLogDropped, records);

    /// <summary>
    /// Gauges read at scrape time (pool sizes and the like). Dispose the result when what the source
    /// reads goes away (e.g. a pool replaced on reload); ignoring it keeps the source for the process lifetime.
    /// A source that throws fails the scrape (it is a bug, better seen than hidden).
    /// </summary>
    public IDisposable RegisterGaugeSource(Action<GaugeWriter> source) => _gaugeSources.Add(source);

    /// <summary>
    /// Families owned by another part (the WAF's per-rule counters), written after the built-in ones on
    /// every scrape. Register at start; the writer must write whole families.
    /// </summary>
    public void RegisterFamilyWriter(Action<PrometheusTextWriter> writer)
    {
        lock (_familyWriters) _familyWriters.Add(writer);
    }

    /// <summary>Writes all metrics as Prometheus text (version 0.0.4); see <see cref="PrometheusTextWriter.ContentType"/>.</summary>
    public void WritePrometheus(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var writer = new PrometheusTextWriter(output);
        EdgeMetricsRenderer.WriteRequests(writer, Unrouted, _routes);
        EdgeMetricsRenderer.WriteUpstreamLatency(writer, _clusters);
        WriteTraffic(writer);
        EdgeMetricsRenderer.WriteTls(writer, _tls);
        lock (_familyWriters)
        {
            foreach (var family in _familyWriters) family(writer);
        }
        WriteOperations(writer);

        var gauges = new GaugeSampleCollector();
        _gaugeSources.CollectInto(gauges);
        gauges.WriteTo(writer);

        if (_includeProcessMetrics)
        {
            ProcessMetricsWriter.Write(writer);
        }
    }

    private void WriteTraffic(PrometheusTextWriter writer)
    {
        // Closed is read before opened, so open connections never read negative while both move.
        long closed = _connectionsClosed.Sum();
        long opened = _connectionsOpened.Sum();
        EdgeMetricsRenderer.WriteScalar(writer, "edge_connections_open", "Client connections currently open.", "gauge", opened - closed);
        EdgeMetricsRenderer.WriteScalar(writer, "edge_connections_total", "Client connections accepted.", "counter", opened);
        EdgeMetricsRenderer.WriteScalar(writer, "edge_received_bytes_total", "Bytes received from clients.", "counter", _bytesIn.Sum());
        EdgeMetricsRenderer.WriteScalar(writer, "edge_sent_bytes_total", "Bytes sent to clients.", "counter", _bytesOut.Sum());
    }

    private void WriteOperations(PrometheusTextWriter writer)
    {
        EdgeMetricsRenderer.WriteScalar(writer, "edge_config_generation", "Generation of the configuration snapshot in use.", "gauge", Volatile.Read(ref _configGeneration));

        writer.WriteFamily("edge_config_reloads_total", "Configuration reloads attempted, by result.", "counter");
        writer.BeginSample("edge_config_reloads_total");
        writer.AddLabel("result", "failure");
        writer.EndSample(Volatile.Read(ref _reloadFailures));
        writer.BeginSample("edge_config_reloads_total");
        writer.AddLabel("result", "success");
        writer.EndSample(Volatile.Read(ref _reloadSuccesses));

        EdgeMetricsRenderer.WriteScalar(writer, "edge_access_log_dropped_total", "Access log records dropped (buffer full or write failed).", "counter", Volatile.Read(ref _accessLogDropped));
    }
}
