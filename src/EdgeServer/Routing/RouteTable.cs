using EdgeServer.Config.Model;
using EdgeServer.Protocol.Http1;

namespace EdgeServer.Routing;

/// <summary>
/// Immutable compiled route table. Most specific wins: exact path over prefix, longer prefix over shorter,
/// exact host over wildcard over any host; remaining ties go to file order.
/// </summary>
internal sealed class RouteTable
{
    public IReadOnlyList<CompiledRoute> Routes { get; } = [];

    public static RouteTable Compile(IReadOnlyList<RouteConfig> routes, long defaultMaxBodyBytes) => throw new NotImplementedException();

    /// <summary>The matching route, or null (the proxy answers 404). Allocation-free.</summary>
    public CompiledRoute? Match(ReadOnlySpan<byte> host, ReadOnlySpan<byte> path, KnownMethod method, ReadOnlySpan<byte> methodBytes)
        => throw new NotImplementedException();
}
