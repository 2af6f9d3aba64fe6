using BenchmarkDotNet.Attributes;
using EdgeServer.Config.Model;
using EdgeServer.Protocol.Http1;
using EdgeServer.Routing;

namespace EdgeServer.Benchmarks.Routing;

/// <summary>
/// Route lookup cost as the table grows. A third of the routes have an exact host, a third a wildcard host, a third
/// any host; half restrict methods. Cases: an exact-host hit, a deep wildcard hit, an any-host hit on the last
/// route (worst case for the ordered scan), and a miss that falls through to the "/" catch-all.
/// </summary>
/// <remarks>Benchmarks return object: the class must be public and CompiledRoute is internal (no boxing, it is a class).</remarks>
[MemoryDiagnoser]
public class RouteTableBenchmark
{
    private RouteTable _table = null!;
    private readonly byte[] _get = "GET"u8.ToArray();

    [Params(10, 200)]
    public int Routes { get; set; }

    private byte[] _exactHost = [], _exactPath = [], _wildHost = [], _wildPath = [], _anyHost = [], _anyPath = [], _missPath = [];

    [GlobalSetup]
    public void Setup()
    {
        var routes = new List<RouteConfig>();
        for (int i = 0; i < Routes - 1; i++)
        {
            routes.Add(new RouteConfig
            {
                Name = $"r{i}",
                Path = $"/service{i}/v1",
                Hosts = (i % 3) switch { 0 => [$"api{i}.example.com"], 1 => [$"*.tenant{i}.example.com"], _ => [] },
                Methods = i % 2 == 0 ? ["GET", "POST"] : [],
                Cluster = "c",
            });
        }
        routes.Add(new RouteConfig { Name = "root", Path = "/", Cluster = "c" });
        _table = RouteTable.Compile(routes, 1024);

        const int exact = 0, wild = 1;
        int any = Routes - 2; // the last any-host route (i % 3 == 2)
        while (any % 3 != 2) any--;
        _exactHost = Bytes($"api{exact}.example.com:8080");
        _exactPath = Bytes($"/service{exact}/v1/users/42");
        _wildHost = Bytes($"eu.shard7.tenant{wild}.example.com");
        _wildPath = Bytes($"/service{wild}/v1/items");
        _anyHost = Bytes("www.unrelated.org");
        _anyPath = Bytes($"/service{any}/v1/x");
        _missPath = Bytes("/nothing/here");

        // A benchmark of the wrong case would measure nothing useful.
        Expect(ExactHost(), $"r{exact}");
        Expect(WildcardHost(), $"r{wild}");
        Expect(AnyHostLastRoute(), $"r{any}");
        Expect(FallThroughToRoot(), "root");
    }

    private static void Expect(object? match, string name)
    {
        var route = match as CompiledRoute;
        if (route?.Name != name) throw new InvalidOperationException($"expected route {name}, matched {route?.Name ?? "nothing"}");
    }

    private static byte[] Bytes(string s) => System.Text.Encoding.ASCII.GetBytes(s);

    [Benchmark]
    public object? ExactHost() => _table.Match(_exactHost, _exactPath, KnownMethod.Get, _get);

    [Benchmark]
    public object? WildcardHost() => _table.Match(_wildHost, _wildPath, KnownMethod.Get, _get);

    [Benchmark]
    public object? AnyHostLastRoute() => _table.Match(_anyHost, _anyPath, KnownMethod.Get, _get);

    [Benchmark]
    public object? FallThroughToRoot() => _table.Match(_anyHost, _missPath, KnownMethod.Get, _get);
}
