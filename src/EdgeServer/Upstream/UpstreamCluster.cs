using EdgeServer.Config.Model;

namespace EdgeServer.Upstream;

/// <summary>A cluster at run time: destinations, load balancing, health checks. Survives reloads while its config is unchanged.</summary>
internal sealed class UpstreamCluster : IAsyncDisposable
{
    public UpstreamCluster(ClusterConfig config) { Config = config; }

    public ClusterConfig Config { get; }
    public string Name => Config.Name;
    public IReadOnlyList<Destination> Destinations => throw new NotImplementedException();

    /// <summary>A healthy destination by the cluster's policy, other than <paramref name="exclude"/> when possible; null when none is healthy.</summary>
    public Destination? Pick(Destination? exclude = null) => throw new NotImplementedException();

    public ValueTask DisposeAsync() => throw new NotImplementedException();
}
