using EdgeServer.Config.Model;
using EdgeServer.Protocol.Http1;
using EdgeServer.RateLimiting;
using EdgeServer.Routing;
using EdgeServer.Waf;

namespace EdgeServer.Runtime;

/// <summary>
/// One compiled, immutable configuration. A request takes the current snapshot when its head is parsed
/// and finishes on it, whatever reloads happen meanwhile.
/// </summary>
internal sealed class RuntimeSnapshot
{
    private readonly Dictionary<CompiledRoute, RouteEntry> _entries;

    public RuntimeSnapshot(long generation, EdgeConfig config, RouteTable routes, Dictionary<CompiledRoute, RouteEntry> entries, WafAssignments? waf = null, RateLimitAssignments? rateLimits = null)
    {
        Waf = waf ?? WafAssignments.Empty;
        RateLimits = rateLimits ?? RateLimitAssignments.Empty;
        Generation = generation;
        Config = config;
        Routes = routes;
        _entries = entries;
        var l = config.Limits;
        RequestLimits = new HttpParserLimits(l.MaxRequestLineBytes, l.MaxHeaderBytes, l.MaxHeaderCount);
        HeaderTimeoutMs = (long)l.HeaderTimeout.TotalMilliseconds;
        KeepAliveTimeoutMs = (long)l.KeepAliveTimeout.TotalMilliseconds;
    }

    public long Generation { get; }
    public EdgeConfig Config { get; }
    public RouteTable Routes { get; }
    /// <summary>Which web ACLs each listener and route applies under this config.</summary>
    public WafAssignments Waf { get; }
    /// <summary>Which rate limits each listener and route applies under this config.</summary>
    public RateLimitAssignments RateLimits { get; }
    public HttpParserLimits RequestLimits { get; }
    public long HeaderTimeoutMs { get; }
    public long KeepAliveTimeoutMs { get; }

    public RouteEntry Entry(CompiledRoute route) => _entries[route];

    /// <summary>Upstream response heads: the status line like a request line, fields per limits.maxResponseHeaderBytes.</summary>
    public static HttpParserLimits ResponseLimitsOf(LimitsConfig limits) =>
        new(HttpParserLimits.DefaultMaxStartLineBytes, limits.MaxResponseHeaderBytes, HttpParserLimits.DefaultMaxHeaderCount);
}
