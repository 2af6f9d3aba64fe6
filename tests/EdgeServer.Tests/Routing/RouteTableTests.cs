using System.Text;
using EdgeServer.Config.Model;
using EdgeServer.Protocol.Http1;
using EdgeServer.Routing;

namespace EdgeServer.Tests.Routing;

public sealed class RouteTableTests
{
    private static RouteConfig R(string name, string path = "/", PathMatchKind kind = PathMatchKind.Prefix, string[]? hosts = null, string[]? methods = null) =>
        new() { Name = name, Path = path, PathMatch = kind, Hosts = hosts ?? [], Methods = methods ?? [], Cluster = "c" };

    private static string? Match(RouteTable table, string host, string path, string method = "GET")
    {
        var bytes = Encoding.ASCII.GetBytes(method);
        var known = method switch
        {
            "GET" => KnownMethod.Get,
            "HEAD" => KnownMethod.Head,
            "POST" => KnownMethod.Post,
            "DELETE" => KnownMethod.Delete,
            _ => KnownMethod.Custom,
        };
        return table.Match(Encoding.ASCII.GetBytes(host), Encoding.ASCII.GetBytes(path), known, bytes)?.Name;
    }

    private static RouteTable Table(params RouteConfig[] routes) => RouteTable.Compile(routes, 1000);

    [Fact]
    public void Empty_table_matches_nothing() => Assert.Null(Match(Table(), "a", "/"));

    [Fact]
    public void Exact_path_beats_prefix_regardless_of_order()
    {
        var t = Table(R("prefix", "/api"), R("exact", "/api", PathMatchKind.Exact));
        Assert.Equal("exact", Match(t, "h", "/api"));
        Assert.Equal("prefix", Match(t, "h", "/api/x"));
    }

    [Fact]
    public void Longer_prefix_beats_shorter()
    {
        var t = Table(R("root", "/"), R("api", "/api/"), R("v1", "/api/v1/"));
        Assert.Equal("v1", Match(t, "h", "/api/v1/users"));
        Assert.Equal("api", Match(t, "h", "/api/v2"));
        Assert.Equal("root", Match(t, "h", "/other"));
    }

    [Fact]
    public void Ties_go_to_file_order()
    {
        var t = Table(R("first", "/a"), R("second", "/a"));
        Assert.Equal("first", Match(t, "h", "/a/b"));
    }

    [Fact]
    public void Prefix_without_trailing_slash_respects_segment_boundaries()
    {
        var t = Table(R("api", "/api"));
        Assert.Equal("api", Match(t, "h", "/api"));
        Assert.Equal("api", Match(t, "h", "/api/"));
        Assert.Equal("api", Match(t, "h", "/api/x/y"));
        Assert.Null(Match(t, "h", "/apix"));
        Assert.Null(Match(t, "h", "/ap"));
    }

    [Fact]
    public void Prefix_with_trailing_slash_is_a_byte_prefix()
    {
        var t = Table(R("echo", "/echo/"));
        Assert.Equal("echo", Match(t, "h", "/echo/"));
        Assert.Equal("echo", Match(t, "h", "/echo/x"));
        Assert.Null(Match(t, "h", "/echo"));
    }

    [Fact]
    public void Root_prefix_matches_everything_and_empty_path_is_root()
    {
        var t = Table(R("root", "/"));
        Assert.Equal("root", Match(t, "h", "/anything/at/all"));
        Assert.Equal("root", Match(t, "h", ""));
    }

    [Fact]
    public void Paths_are_case_sensitive_raw_bytes()
    {
        var t = Table(R("a", "/Api"), R("enc", "/a%2Fb", PathMatchKind.Exact));
        Assert.Null(Match(t, "h", "/api"));
        Assert.Equal("a", Match(t, "h", "/Api/x"));
        Assert.Equal("enc", Match(t, "h", "/a%2Fb"));
        Assert.Null(Match(t, "h", "/a/b"));
        Assert.Null(Match(t, "h", "/a%2fb"));
    }

    [Fact]
    public void Exact_host_beats_wildcard_beats_any_host_for_the_same_path()
    {
        var t = Table(R("any", "/"), R("wild", "/", hosts: ["*.example.com"]), R("exact", "/", hosts: ["api.example.com"]));
        Assert.Equal("exact", Match(t, "api.example.com", "/"));
        Assert.Equal("wild", Match(t, "www.example.com", "/"));
        Assert.Equal("any", Match(t, "example.org", "/"));
    }

    [Fact]
    public void Longer_wildcard_suffix_beats_shorter()
    {
        var t = Table(R("com", "/", hosts: ["*.com"]), R("example", "/", hosts: ["*.example.com"]));
        Assert.Equal("example", Match(t, "a.example.com", "/"));
        Assert.Equal("com", Match(t, "a.other.com", "/"));
    }

    [Fact]
    public void Host_specificity_comes_before_path_specificity()
    {
        var t = Table(R("host-root", "/", hosts: ["api.example.com"]), R("any-echo", "/echo/"));
        Assert.Equal("host-root", Match(t, "api.example.com", "/echo/x"));
        Assert.Equal("host-root", Match(t, "api.example.com", "/other"));
        Assert.Equal("any-echo", Match(t, "other.example", "/echo/x"));
    }

    [Fact]
    public void A_named_host_without_a_matching_method_falls_through_to_less_specific_hosts()
    {
        var t = Table(R("host-get", "/", hosts: ["api.example.com"], methods: ["GET"]), R("wild-any", "/", hosts: ["*.example.com"]), R("any", "/"));
        Assert.Equal("host-get", Match(t, "api.example.com", "/", "GET"));
        Assert.Equal("wild-any", Match(t, "api.example.com", "/", "POST"));
    }

    [Fact]
    public void Routes_for_another_host_fall_through_to_any_host()
    {
        var t = Table(R("x", "/x", hosts: ["a.com"]), R("root", "/"));
        Assert.Equal("root", Match(t, "a.com", "/y"));
        Assert.Equal("root", Match(t, "b.com", "/x"));
        Assert.Equal("x", Match(t, "a.com", "/x"));
    }

    [Theory]
    [InlineData("api.example.com", true)]
    [InlineData("API.Example.COM", true)]
    [InlineData("api.example.com:8080", true)]
    [InlineData("api.example.com.", true)]
    [InlineData("api.example.com.:443", true)]
    [InlineData("api.example.co", false)]
    [InlineData("xapi.example.com", false)]
    [InlineData("", false)]
    public void Exact_host_forms(string host, bool matches)
    {
        var t = Table(R("h", hosts: ["api.example.com"]));
        Assert.Equal(matches ? "h" : null, Match(t, host, "/"));
    }

    [Theory]
    [InlineData("a.example.com", true)]
    [InlineData("a.b.c.example.com", true)]
    [InlineData("A.EXAMPLE.COM:80", true)]
    [InlineData("example.com", false)]
    [InlineData("aexample.com", false)]
    [InlineData(".example.com", false)]
    [InlineData("a.example.com.evil", false)]
    public void Wildcard_host_forms(string host, bool matches)
    {
        var t = Table(R("w", hosts: ["*.example.com"]));
        Assert.Equal(matches ? "w" : null, Match(t, host, "/"));
    }

    [Theory]
    [InlineData("[::1]:8080", "v6")]
    [InlineData("[::1]", "v6")]
    [InlineData("127.0.0.1:8080", "v4")]
    [InlineData("[::1", null)]
    public void Ip_literal_hosts(string host, string? expected)
    {
        var t = Table(R("v6", hosts: ["[::1]"]), R("v4", hosts: ["127.0.0.1"]));
        Assert.Equal(expected, Match(t, host, "/"));
    }

    [Fact]
    public void Overlong_host_matches_only_any_host_routes()
    {
        var t = Table(R("h", hosts: ["a.com"]), R("any", "/"));
        Assert.Equal("any", Match(t, new string('a', 300) + ".com", "/"));
    }

    [Fact]
    public void Methods_filter_and_head_does_not_imply_get()
    {
        var t = Table(R("get", "/", methods: ["GET"]), R("purge", "/", methods: ["PURGE"]), R("head", "/h", methods: ["HEAD", "GET"]));
        Assert.Equal("get", Match(t, "h", "/x", "GET"));
        Assert.Null(Match(t, "h", "/x", "HEAD"));
        Assert.Null(Match(t, "h", "/x", "POST"));
        Assert.Equal("purge", Match(t, "h", "/x", "PURGE"));
        Assert.Null(Match(t, "h", "/x", "purge"));
        Assert.Equal("head", Match(t, "h", "/h", "HEAD"));
    }

    [Fact]
    public void A_method_mismatch_falls_back_to_a_less_specific_route()
    {
        var t = Table(R("post-only", "/api/", methods: ["POST"]), R("root", "/"));
        Assert.Equal("post-only", Match(t, "h", "/api/x", "POST"));
        Assert.Equal("root", Match(t, "h", "/api/x", "GET"));
    }

    [Fact]
    public void Max_body_bytes_defaults_to_the_global_limit()
    {
        var t = RouteTable.Compile([R("a"), R("b") with { MaxBodyBytes = 5 }], 1000);
        Assert.Equal([1000L, 5L], t.Routes.Select(r => r.MaxBodyBytes));
        Assert.Equal(["a", "b"], t.Routes.Select(r => r.Name));
    }

    [Fact]
    public void Match_allocates_nothing()
    {
        var routes = new List<RouteConfig>();
        for (int i = 0; i < 50; i++)
        {
            routes.Add(R($"p{i}", $"/svc{i}/", hosts: i % 3 == 0 ? [$"h{i}.example.com"] : i % 3 == 1 ? [$"*.z{i}.example.com"] : null, methods: i % 2 == 0 ? ["GET", "PURGE"] : null));
        }
        routes.Add(R("root"));
        var t = RouteTable.Compile(routes, 1);
        var cases = new (byte[] Host, byte[] Path, KnownMethod Method, byte[] MethodBytes)[]
        {
            ("h3.example.com:8080"u8.ToArray(), "/svc3/x"u8.ToArray(), KnownMethod.Get, "GET"u8.ToArray()),
            ("A.B.Z4.example.com"u8.ToArray(), "/svc4/x"u8.ToArray(), KnownMethod.Custom, "PURGE"u8.ToArray()),
            ("[::1]:80"u8.ToArray(), "/none"u8.ToArray(), KnownMethod.Post, "POST"u8.ToArray()),
            ("other.org"u8.ToArray(), "/svc49/"u8.ToArray(), KnownMethod.Get, "GET"u8.ToArray()),
        };
        foreach (var c in cases) Assert.NotNull(t.Match(c.Host, c.Path, c.Method, c.MethodBytes));

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            var c = cases[i & 3];
            t.Match(c.Host, c.Path, c.Method, c.MethodBytes);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
