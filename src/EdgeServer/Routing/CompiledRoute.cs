using EdgeServer.Config.Model;

namespace EdgeServer.Routing;

/// <summary>A route as the data path uses it: everything precomputed from its config.</summary>
internal sealed class CompiledRoute
{
    public CompiledRoute(RouteConfig config, long maxBodyBytes)
    {
        Config = config;
        Name = config.Name;
        MaxBodyBytes = maxBodyBytes;
    }

    public RouteConfig Config { get; }
    public string Name { get; }
    public long MaxBodyBytes { get; }
    public string? ClusterName => Config.Cluster;
    public MockConfig? Mock => Config.Mock;
}
