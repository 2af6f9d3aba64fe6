using EdgeServer.Config.Model;

namespace EdgeServer.Config.Binding;

/// <summary>
/// Positions the model has no member for but cross-section checks need (an address clash is reported at the
/// address value, not at the start of its section).
/// </summary>
internal sealed class ConfigMarks
{
    public SourceMark Root { get; set; }
    public SourceMark AdminAddress { get; set; }
    public SourceMark EchoBackendAddress { get; set; }
    /// <summary>Parallel to <see cref="EdgeConfig.Listeners"/>.</summary>
    public List<SourceMark> ListenerAddresses { get; } = [];
    /// <summary>Parallel to <see cref="EdgeConfig.Routes"/>: the 'name' value (duplicate names are reported there).</summary>
    public List<SourceMark> RouteNames { get; } = [];
    public List<SourceMark> ClusterNames { get; } = [];
    public List<SourceMark> ListenerNames { get; } = [];
    /// <summary>Every cluster name written, including clusters dropped for other errors, so a route naming one is not also reported as unknown.</summary>
    /// <summary>Every route's 'cluster' value and where it is, including routes dropped for other errors.</summary>
    public List<(string Name, SourceMark Mark)> ClusterReferences { get; } = [];
    public HashSet<string> DeclaredClusters { get; } = new(StringComparer.Ordinal);
    /// <summary>Parallel to <see cref="EdgeConfig.RateLimits"/>.</summary>
    public List<SourceMark> RateLimitNames { get; } = [];
    /// <summary>Every rate limit name a listener or route lists, and where.</summary>
    public List<(string Name, SourceMark Mark)> RateLimitReferences { get; } = [];
    /// <summary>Every rate limit name written, including limits dropped for other errors (like <see cref="DeclaredClusters"/>).</summary>
    public HashSet<string> DeclaredRateLimits { get; } = new(StringComparer.Ordinal);
    /// <summary>A 'redis' section was given but had errors (so global limits are not reported as lacking one).</summary>
    public bool RedisBroken { get; set; }
    public bool ApiKeysBroken { get; set; }
    public List<SourceMark> PlanNames { get; } = [];
    public HashSet<string> DeclaredPlans { get; } = new(StringComparer.Ordinal);
    public List<(string Name, SourceMark Mark)> PlanReferences { get; } = [];
    /// <summary>Where routes ask for an API key (each needs the 'apiKeys' section).</summary>
    public List<SourceMark> ApiKeyRoutes { get; } = [];
}
