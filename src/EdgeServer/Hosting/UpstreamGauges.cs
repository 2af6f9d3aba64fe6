using EdgeServer.Observability;
using EdgeServer.Upstream;

namespace EdgeServer.Hosting;

/// <summary>Renders every destination's pool and health as gauges at scrape time.</summary>
internal sealed class UpstreamGauges(ClusterRegistry clusters)
{
    public void Write(GaugeWriter writer)
    {
        var stats = new List<DestinationStats>();
        clusters.CollectStats(stats);
        foreach (var s in stats)
        {
            var label = $"{s.Cluster}/{s.Address}";
            writer.Write("edge_upstream_connections_open", "Open connections to an upstream destination (busy and idle)", "destination", label, s.OpenConnections);
            writer.Write("edge_upstream_connections_idle", "Idle pooled connections to an upstream destination", "destination", label, s.IdleConnections);
            writer.Write("edge_upstream_requests_in_flight", "Requests holding a connection to an upstream destination", "destination", label, s.InFlight);
            writer.Write("edge_upstream_healthy", "1 when the destination takes traffic, 0 when ejected or marked down", "destination", label, s.IsHealthy ? 1 : 0);
        }
    }
}
