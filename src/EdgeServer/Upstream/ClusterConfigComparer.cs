using EdgeServer.Config.Model;

namespace EdgeServer.Upstream;

/// <summary>
/// Structural equality of cluster configs for reload: two configs are equal when a running cluster
/// built from one would behave exactly like one built from the other. Record equality is not enough:
/// <see cref="ClusterConfig.Destinations"/> is a list (compared by reference by the record), and
/// <see cref="ClusterConfig.Mark"/> (where in the file the cluster was written) changes whenever a line
/// above it is edited without changing the cluster at all.
/// </summary>
internal sealed class ClusterConfigComparer : IEqualityComparer<ClusterConfig>
{
    public static ClusterConfigComparer Instance { get; } = new();

    public bool Equals(ClusterConfig? x, ClusterConfig? y)
    {
        if (ReferenceEquals(x, y)) return true;
        if (x is null || y is null) return false;
        return string.Equals(x.Name, y.Name, StringComparison.Ordinal)
            && SameDestinations(x.Destinations, y.Destinations)
            && x.LoadBalancing == y.LoadBalancing
            && x.ConnectTimeout == y.ConnectTimeout
            && x.ResponseTimeout == y.ResponseTimeout
            && x.IdleTimeout == y.IdleTimeout
            && x.MaxIdlePerDestination == y.MaxIdlePerDestination
            && x.MaxConnectionsPerDestination == y.MaxConnectionsPerDestination
            && Equals(x.PassiveHealth, y.PassiveHealth) // records of scalars: value equality
            && Equals(x.ActiveHealth, y.ActiveHealth)
            // Settings by value, files by content (UpstreamTlsMaterial's equality): a reload after a
            // certificate changed on disk builds a new cluster, whose new connections use it.
            && Equals(x.Tls, y.Tls);
    }

    public int GetHashCode(ClusterConfig obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var hash = new HashCode();
        hash.Add(obj.Name, StringComparer.Ordinal);
        foreach (var destination in obj.Destinations) hash.Add(destination);
        hash.Add(obj.LoadBalancing);
        hash.Add(obj.ConnectTimeout);
        hash.Add(obj.ResponseTimeout);
        hash.Add(obj.IdleTimeout);
        hash.Add(obj.MaxIdlePerDestination);
        hash.Add(obj.MaxConnectionsPerDestination);
        hash.Add(obj.PassiveHealth);
        hash.Add(obj.ActiveHealth);
        hash.Add(obj.Tls);
        return hash.ToHashCode();
    }

    /// <summary>Same addresses in the same order (order matters: round robin starts from the first).</summary>
    private static bool SameDestinations(IReadOnlyList<DnsOrIpEndPoint> x, IReadOnlyList<DnsOrIpEndPoint> y)
    {
        if (x.Count != y.Count) return false;
        for (var i = 0; i < x.Count; i++)
        {
            // Host names are case-insensitive (RFC 4343); IP literals compare the same either way.
            if (x[i].Port != y[i].Port || !string.Equals(x[i].Host, y[i].Host, StringComparison.OrdinalIgnoreCase)) return false;
        }
        return true;
    }
}
