namespace EdgeServer.Upstream;

/// <summary>A snapshot of one destination's pool and health, for gauges (open, idle, in-flight, healthy).</summary>
internal readonly record struct DestinationStats(
    string Cluster, string Address, int OpenConnections, int IdleConnections, int InFlight, bool IsHealthy);
