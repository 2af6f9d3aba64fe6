using EdgeServer.Config.Model;
using EdgeServer.Protocol.Http1;

namespace EdgeServer.Routing;

/// <summary>
/// Immutable compiled route table. Most specific wins: exact path over prefix, longer prefix over shorter,
/// exact host over wildcard over any host; remaining ties go to file order.
/// </summary>
/// <remarks>
/// Path specificity is compared first, host specificity second (as YARP/ASP.NET routing orders them), then file order.
/// Routes are bucketed by host so a lookup scans only the buckets the request's host can hit: the exact-host bucket,
/// one bucket per wildcard suffix of the host, and the any-host list. Each bucket is sorted most specific path first,
/// so its first match is its best; the winner is the best of those few.
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
        CompiledRoute? best = null;
        int bestHostRank = -1;
        if (_hasHostRoutes)
        {
            // Sized to the host, not to the limit: stackalloc zeroes what it reserves.
            Span<char> buffer = stackalloc char[Math.Min(host.Length, HostKey.MaxLength)];
            var name = buffer[..HostKey.Normalize(host, buffer)];
            if (!name.IsEmpty)
            {
                if (_hasExactHosts && _exactHosts.TryGetValue(name, out var exact))
                    Consider(exact, int.MaxValue, path, method, methodBytes, ref best, ref bestHostRank);
                // Every suffix starting at a dot after the first label: "*.example.com" covers a.example.com and a.b.example.com.
                for (int i = 1; _hasWildcardHosts && i < name.Length; i++)
                {
                    if (name[i] == '.' && _wildcardHosts.TryGetValue(name[i..], out var wildcard))
                        Consider(wildcard, name.Length - i, path, method, methodBytes, ref best, ref bestHostRank);
                }
            }
        }
        Consider(_anyHost, 0, path, method, methodBytes, ref best, ref bestHostRank);
        return best;
    }

    /// <summary>First match in a bucket (its best), kept if it beats the best so far on (path rank, host rank, file order).</summary>
    private static void Consider(CompiledRoute[] bucket, int hostRank, ReadOnlySpan<byte> path, KnownMethod method, ReadOnlySpan<byte> methodBytes,
        ref CompiledRoute? best, ref int bestHostRank)
    {
        foreach (var route in bucket)
        {
            // Sorted by path rank: once below the best, nothing later in this bucket can win.
            if (best is not null && route.PathRank < best.PathRank) return;
            if (!route.MatchesPath(path) || !route.MatchesMethod(method, methodBytes)) continue;
            if (best is null || route.PathRank > best.PathRank
                || (route.PathRank == best.PathRank && (hostRank > bestHostRank || (hostRank == bestHostRank && route.Order < best.Order))))
            {
                best = route;
                bestHostRank = hostRank;
            }
            return;
        }
    }
}
