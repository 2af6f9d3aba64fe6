using EdgeServer.Config.Model;
using EdgeServer.Protocol.Http1;

namespace EdgeServer.Routing;

/// <summary>
/// Immutable compiled route table. The host decides first, the path second: exact host over wildcard
/// (longer suffix first) over any host, and within the chosen host, exact path over prefix and longer
/// prefix over shorter; remaining ties go to file order.
/// </summary>
/// <remarks>
/// Host first, as nginx server blocks and Envoy virtual hosts work: an operator who names a host expects
/// its routes to win over catch-all routes for any host. When no route of a more specific host matches
/// (path or method), the lookup falls through to less specific hosts rather than answering 404.
/// Routes are bucketed by host so a lookup scans only the buckets the request's host can hit; each bucket
/// is sorted most specific path first, so its first match is its best.
/// </remarks>
internal sealed class RouteTable
{
    private readonly CompiledRoute[] _anyHost;
    private readonly Dictionary<string, CompiledRoute[]>.AlternateLookup<ReadOnlySpan<char>> _exactHosts;
    /// <summary>Keyed by the suffix with its leading dot: "*.example.com" is stored as ".example.com".</summary>
    private readonly Dictionary<string, CompiledRoute[]>.AlternateLookup<ReadOnlySpan<char>> _wildcardHosts;
    private readonly bool _hasHostRoutes, _hasExactHosts, _hasWildcardHosts;

    private RouteTable(CompiledRoute[] routes, CompiledRoute[] anyHost, Dictionary<string, CompiledRoute[]> exact, Dictionary<string, CompiledRoute[]> wildcard)
    {
        Routes = routes;
        _anyHost = anyHost;
        _exactHosts = exact.GetAlternateLookup<ReadOnlySpan<char>>();
        _wildcardHosts = wildcard.GetAlternateLookup<ReadOnlySpan<char>>();
        _hasExactHosts = exact.Count > 0;
        _hasWildcardHosts = wildcard.Count > 0;
        _hasHostRoutes = _hasExactHosts || _hasWildcardHosts;
    }

    /// <summary>In file order.</summary>
    public IReadOnlyList<CompiledRoute> Routes { get; }

    public static RouteTable Compile(IReadOnlyList<RouteConfig> routes, long defaultMaxBodyBytes)
    {
        var compiled = new CompiledRoute[routes.Count];
        var anyHost = new List<CompiledRoute>();
        var exact = new Dictionary<string, List<CompiledRoute>>(StringComparer.Ordinal);
        var wildcard = new Dictionary<string, List<CompiledRoute>>(StringComparer.Ordinal);
        for (int i = 0; i < routes.Count; i++)
        {
            var route = new CompiledRoute(routes[i], routes[i].MaxBodyBytes ?? defaultMaxBodyBytes) { Order = i };
            compiled[i] = route;
            if (routes[i].Hosts.Count == 0) anyHost.Add(route);
            foreach (var pattern in routes[i].Hosts)
            {
                var host = pattern.ToLowerInvariant().TrimEnd('.');
                var (bucket, key) = host.StartsWith("*.", StringComparison.Ordinal) ? (wildcard, host[1..]) : (exact, host);
                if (!bucket.TryGetValue(key, out var list)) bucket[key] = list = [];
                if (!list.Contains(route)) list.Add(route);
            }
        }
        return new RouteTable(compiled, Sorted(anyHost), Freeze(exact), Freeze(wildcard));

        static Dictionary<string, CompiledRoute[]> Freeze(Dictionary<string, List<CompiledRoute>> buckets)
        {
            var frozen = new Dictionary<string, CompiledRoute[]>(buckets.Count, StringComparer.Ordinal);
            foreach (var (key, list) in buckets) frozen[key] = Sorted(list);
            return frozen;
        }

        static CompiledRoute[] Sorted(List<CompiledRoute> list)
        {
            var array = list.ToArray();
            Array.Sort(array, static (a, b) => a.PathRank != b.PathRank ? b.PathRank.CompareTo(a.PathRank) : a.Order.CompareTo(b.Order));
            return array;
        }
    }

    /// <summary>The matching route, or null (the proxy answers 404). Allocation-free.</summary>
    /// <param name="host">The Host header value as received (any case, optional port, optional trailing dot); empty when absent.</param>
    /// <param name="path">The raw request path without the query, not percent-decoded; empty is taken as "/".</param>
    public CompiledRoute? Match(ReadOnlySpan<byte> host, ReadOnlySpan<byte> path, KnownMethod method, ReadOnlySpan<byte> methodBytes)
    {
        if (path.IsEmpty) path = "/"u8;
        if (_hasHostRoutes)
        {
            // Sized to the host, not to the limit: stackalloc zeroes what it reserves.
            Span<char> buffer = stackalloc char[Math.Min(host.Length, HostKey.MaxLength)];
            var name = buffer[..HostKey.Normalize(host, buffer)];
            if (!name.IsEmpty)
            {
                if (_hasExactHosts && _exactHosts.TryGetValue(name, out var exact)
                    && FirstMatch(exact, path, method, methodBytes) is { } exactMatch)
                {
                    return exactMatch;
                }
                // Every suffix starting at a dot after the first label, longest first:
                // "*.example.com" covers a.example.com and a.b.example.com.
                for (int i = 1; _hasWildcardHosts && i < name.Length; i++)
                {
                    if (name[i] == '.' && _wildcardHosts.TryGetValue(name[i..], out var wildcard)
                        && FirstMatch(wildcard, path, method, methodBytes) is { } wildcardMatch)
                    {
                        return wildcardMatch;
                    }
                }
            }
        }
        return FirstMatch(_anyHost, path, method, methodBytes);
    }

    /// <summary>A bucket is sorted most specific path first (then file order), so its first match is its best.</summary>
    private static CompiledRoute? FirstMatch(CompiledRoute[] bucket, ReadOnlySpan<byte> path, KnownMethod method, ReadOnlySpan<byte> methodBytes)
    {
        foreach (var route in bucket)
        {
            if (route.MatchesPath(path) && route.MatchesMethod(method, methodBytes)) return route;
        }
        return null;
    }
}
