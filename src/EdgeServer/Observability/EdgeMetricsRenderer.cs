using System.Collections.Concurrent;

namespace EdgeServer.Observability;

/// <summary>Renders the keyed families (per route, per cluster) in a stable order: sorted by label value, ordinal.</summary>
internal static class EdgeMetricsRenderer
{
    public static void WriteScalar(PrometheusTextWriter writer, string name, string help, string type, long value)
    {
        writer.WriteFamily(name, help, type);
        writer.BeginSample(name);
        writer.EndSample(value);
    }

    public static void WriteRequests(PrometheusTextWriter writer, RouteMetrics unrouted, ConcurrentDictionary<string, RouteMetrics> routes)
    {
        const string Name = "edge_requests_total";
        writer.WriteFamily(Name, "Requests answered, by route and status class (route=\"\" for requests that matched no route).", "counter");

        // The unrouted label is "" and sorts before every real route name.
        WriteRoute(writer, Name, unrouted);
        RouteMetrics[] sorted = routes.Values.ToArray();
        Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.Route, b.Route));
        foreach (RouteMetrics route in sorted)
        {
            WriteRoute(writer, Name, route);
        }
    }

    public static void WriteUpstreamLatency(PrometheusTextWriter writer, ConcurrentDictionary<string, UpstreamMetrics> clusters)
    {
        const string Name = "edge_upstream_response_seconds";
        writer.WriteFamily(Name, "Time from request head sent upstream to response head received, by cluster.", "histogram");

        UpstreamMetrics[] sorted = clusters.Values.ToArray();
        Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.Cluster, b.Cluster));
        Span<long> cumulative = stackalloc long[LatencyHistogram.CellCount];
        string[] bounds = LatencyHistogram.BoundLabels;
        foreach (UpstreamMetrics cluster in sorted)
        {
            LatencyHistogram histogram = cluster.ResponseLatency;
            // Read without a lock: while recordings race the scrape, sum and count may disagree by the
            // observations in flight. Buckets stay cumulative and +Inf equals _count, which is what matters.
            double sum = histogram.SumSeconds;
            histogram.CopyCumulative(cumulative);
            for (int i = 0; i < cumulative.Length; i++)
            {
                writer.BeginSample(Name, "_bucket");
                writer.AddLabel("cluster", cluster.Cluster);
                writer.AddLabel("le", i < bounds.Length ? bounds[i] : "+Inf");
                writer.EndSample(cumulative[i]);
            }
            writer.BeginSample(Name, "_sum");
            writer.AddLabel("cluster", cluster.Cluster);
            writer.EndSample(sum);
            writer.BeginSample(Name, "_count");
            writer.AddLabel("cluster", cluster.Cluster);
            writer.EndSample(cumulative[^1]);
        }
    }

    private static void WriteRoute(PrometheusTextWriter writer, string name, RouteMetrics route)
    {
        for (int i = 0; i < RouteMetrics.StatusClassCount; i++)
        {
            writer.BeginSample(name);
            writer.AddLabel("route", route.Route);
            writer.AddLabel("status_class", RouteMetrics.StatusClassLabels[i]);
            writer.EndSample(route.RequestCount(i));
        }
    }

    public static void WriteTls(PrometheusTextWriter writer, ConcurrentDictionary<string, TlsMetrics> listeners)
    {
        if (listeners.IsEmpty) return;
        TlsMetrics[] sorted = listeners.Values.ToArray();
        Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.Listener, b.Listener));

        writer.WriteFamily("edge_tls_handshakes_total", "TLS handshakes completed, by listener.", "counter");
        foreach (TlsMetrics tls in sorted)
        {
            writer.BeginSample("edge_tls_handshakes_total");
            writer.AddLabel("listener", tls.Listener);
            writer.EndSample(tls.Succeeded);
        }
        WriteByReason(writer, sorted, "edge_tls_handshake_failures_total", "TLS handshakes failed, by listener and reason.", static (t, r) => t.Failed(r));
        WriteByReason(writer, sorted, "edge_tls_connections_closed_total",
            "Open TLS connections closed because a reload revoked or distrusted their client certificate, by listener and reason.", static (t, r) => t.Closed(r));

        writer.WriteFamily("edge_tls_handshakes_in_progress", "TLS handshakes in progress, by listener.", "gauge");
        foreach (TlsMetrics tls in sorted)
        {
            writer.BeginSample("edge_tls_handshakes_in_progress");
            writer.AddLabel("listener", tls.Listener);
            writer.EndSample(tls.InProgress);
        }
        writer.WriteFamily("edge_tls_reloads_total", "Reloads of certificates, keys, CA bundles and CRLs, by listener and result.", "counter");
        foreach (TlsMetrics tls in sorted)
        {
            writer.BeginSample("edge_tls_reloads_total");
            writer.AddLabel("listener", tls.Listener);
            writer.AddLabel("result", "failure");
            writer.EndSample(tls.ReloadFailures);
            writer.BeginSample("edge_tls_reloads_total");
            writer.AddLabel("listener", tls.Listener);
            writer.AddLabel("result", "success");
            writer.EndSample(tls.ReloadSuccesses);
        }
    }

    /// <summary>Every reason is written, zeros included: a dashboard can then rate() a series before its first failure.</summary>
    private static void WriteByReason(PrometheusTextWriter writer, TlsMetrics[] listeners, string name, string help, Func<TlsMetrics, Tls.TlsFailure, long> read)
    {
        writer.WriteFamily(name, help, "counter");
        foreach (TlsMetrics tls in listeners)
        {
            for (var reason = Tls.TlsFailure.NoCertificate; (int)reason < Tls.TlsFailures.Count; reason++)
            {
                writer.BeginSample(name);
                writer.AddLabel("listener", tls.Listener);
                writer.AddLabel("reason", Tls.TlsFailures.Label(reason));
                writer.EndSample(read(tls, reason));
            }
        }
    }
}
