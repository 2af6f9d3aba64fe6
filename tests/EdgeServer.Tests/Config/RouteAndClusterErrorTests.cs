using static EdgeServer.Tests.Config.ConfigAssert;

namespace EdgeServer.Tests.Config;

public sealed class RouteAndClusterErrorTests
{
    // Line 5 onwards: a valid cluster "api" (lines 5-7), then routes from line 8.
    private const string L = Listener + "clusters:\n  - name: api\n    destinations: [10.0.0.1:80]\n";

    private static string Route(string body) => L + "routes:\n  - name: r\n" + body;

    [Fact]
    public void Route_missing_name() => HasError(L + "routes:\n  - cluster: api\n", 9, 5, "route is missing 'name'");

    [Fact]
    public void Route_with_neither_cluster_nor_mock() => HasError(Route(""), 9, 5, "route 'r' needs 'cluster' (forward to a cluster) or 'mock'");

    [Fact]
    public void Route_with_both_cluster_and_mock() =>
        HasError(Route("    cluster: api\n    mock: {status: 200}\n"), 9, 5, "route 'r' has both 'cluster' and 'mock'; expected exactly one");

    [Fact]
    public void Route_referencing_unknown_cluster_points_at_the_value() =>
        HasError(Route("    cluster: apj\n"), 10, 14, "unknown cluster 'apj' (did you mean 'api'?); defined clusters: api");

    [Fact]
    public void Route_referencing_a_cluster_when_none_exist() =>
        HasError(Listener + "routes:\n  - name: r\n    cluster: x\n", 7, 14, "unknown cluster 'x'; no clusters are defined");

    [Fact]
    public void Cluster_with_errors_is_still_known_to_routes()
    {
        var result = Load(Listener + "clusters:\n  - name: bad\n    destinations: []\nroutes:\n  - name: r\n    cluster: bad\n");
        var error = Assert.Single(result.Errors);
        Assert.Equal("test.yaml:7:19: 'destinations': expected at least one host:port, got an empty list", error.ToString());
    }

    [Fact]
    public void Duplicate_route_names() =>
        HasError(L + "routes:\n  - {name: r, cluster: api}\n  - {name: r, cluster: api}\n", 10, 12, "duplicate route name 'r' (first defined at line 9)");

    [Fact]
    public void Unknown_route_key() => HasError(Route("    cluster: api\n    clustr: api\n"), 11, 5, "unknown key 'clustr' in route (did you mean 'cluster'?)");

    [Fact]
    public void Unknown_match_key() => HasError(Route("    cluster: api\n    match: {pth: /}\n"), 11, 13, "unknown key 'pth' in match (did you mean 'path'?)");

    [Fact]
    public void Path_must_start_with_slash() =>
        HasError(Route("    cluster: api\n    match: {path: api}\n"), 11, 19, "'path': expected a path starting with '/'", "got 'api'");

    [Fact]
    public void Path_must_not_have_a_query() => HasError(Route("    cluster: api\n    match: {path: /a?b}\n"), 11, 19, "leave out '?' and '#'");

    [Fact]
    public void Path_must_not_have_spaces() => HasError(Route("    cluster: api\n    match: {path: '/a b'}\n"), 11, 19, "percent-encoded");

    [Fact]
    public void Bad_path_match() =>
        HasError(Route("    cluster: api\n    match: {pathMatch: exakt}\n"), 11, 24, "'pathMatch': expected one of prefix, exact, got 'exakt' (did you mean 'exact'?)");

    [Fact]
    public void Path_match_is_case_insensitive() =>
        Assert.Equal(EdgeServer.Config.Model.PathMatchKind.Exact, Valid(Route("    cluster: api\n    match: {pathMatch: EXACT}\n")).Routes[0].PathMatch);

    [Fact]
    public void Invalid_method() => HasError(Route("    cluster: api\n    match: {methods: [GET, 'B@D']}\n"), 11, 28, "expected an HTTP method token", "got 'B@D'");

    [Fact]
    public void Methods_are_upper_cased_and_deduplicated() =>
        Assert.Equal(["GET", "PURGE"], Valid(Route("    cluster: api\n    match: {methods: [get, GET, purge]}\n")).Routes[0].Methods);

    [Fact]
    public void Methods_must_be_a_list() => HasError(Route("    cluster: api\n    match: {methods: GET}\n"), 11, 22, "'methods': expected a list", "got 'GET'");

    [Fact]
    public void Invalid_host_pattern() => HasError(Route("    cluster: api\n    match:\n      hosts: [ok.example.com, 'a.*.com']\n"), 12, 31, "host: 'a.*.com' is not a host pattern", "*.example.com");

    [Fact]
    public void Host_with_port() => HasError(Route("    cluster: api\n    match:\n      hosts: ['example.com:80']\n"), 12, 15, "includes a port");

    [Fact]
    public void Hosts_are_normalized() =>
        Assert.Equal(["api.example.com", "*.example.org"], Valid(Route("    cluster: api\n    match:\n      hosts: [API.Example.COM., '*.Example.org']\n")).Routes[0].Hosts);

    [Theory]
    [InlineData("status: 99", "'status' must be at least 200, got 99")]
    [InlineData("status: 101", "'status' must be at least 200, got 101")]
    [InlineData("status: 600", "'status' must be at most 599, got 600")]
    [InlineData("status: ok", "'status': expected a whole number, got 'ok'")]
    public void Mock_status(string status, string message) => HasError(Route("    mock:\n      " + status + "\n"), 11, 15, message);

    [Fact]
    public void Mock_header_name_must_be_a_token() =>
        HasError(Route("    mock:\n      headers:\n        'bad header': x\n"), 12, 9, "header name 'bad header' is not a valid token");

    [Fact]
    public void Mock_header_value_without_newlines() =>
        HasError(Route("    mock:\n      headers:\n        x-a: \"one\\r\\nx-b: two\"\n"), 12, 14, "header 'x-a': value must be a single line", "no CR or LF");

    [Fact]
    public void Mock_content_length_is_computed() =>
        HasError(Route("    mock:\n      headers:\n        Content-Length: 5\n"), 12, 9, "header 'Content-Length' is set by the server from the body");

    [Fact]
    public void Mock_204_without_body() => HasError(Route("    mock:\n      status: 204\n      body: hi\n"), 12, 13, "mock status 204 must not have a body");

    [Fact]
    public void Route_max_body_bytes_bad() => HasError(Route("    cluster: api\n    maxBodyBytes: lots\n"), 11, 19, "'maxBodyBytes': expected a size");

    [Fact]
    public void Route_can_be_dropped_for_several_errors_and_all_are_reported()
    {
        var result = Load(Route("    cluster: nope\n    match: {path: x, methods: ['@']}\n"));
        Assert.Equal(["test.yaml:10:14", "test.yaml:11:19", "test.yaml:11:32"], result.Errors.Select(e => e.Mark.ToString()));
    }

    private const string C = Listener + "clusters:\n  - name: c\n";

    [Fact]
    public void Cluster_missing_name() => HasError(Listener + "clusters:\n  - destinations: [a:1]\n", 6, 5, "cluster is missing 'name'");

    [Fact]
    public void Cluster_missing_destinations() => HasError(C, 6, 5, "cluster is missing 'destinations'");

    [Fact]
    public void Duplicate_cluster_names() =>
        HasError(Listener + "clusters:\n  - {name: c, destinations: [a:1]}\n  - {name: c, destinations: [a:1]}\n", 7, 12, "duplicate cluster name 'c'");

    [Fact]
    public void Bad_destination() => HasError(C + "    destinations: [ok:1, 'bad host:80']\n", 7, 26, "destination: expected host:port", "neither an IPv4 address nor a DNS name");

    [Fact]
    public void Destination_without_port() => HasError(C + "    destinations: [backend]\n", 7, 20, "a port is required");

    [Fact]
    public void Duplicate_destination() => HasError(C + "    destinations: [a:1, A:1]\n", 7, 25, "destination 'a:1' is listed twice");

    [Fact]
    public void Bad_load_balancing() =>
        HasError(C + "    destinations: [a:1]\n    loadBalancing: random\n", 8, 20, "expected one of roundRobin, powerOfTwoChoices, got 'random'");

    [Fact]
    public void Zero_timeout() => HasError(C + "    destinations: [a:1]\n    connectTimeout: 0ms\n", 8, 21, "'connectTimeout' must be greater than zero");

    [Fact]
    public void Negative_pool_size() => HasError(C + "    destinations: [a:1]\n    maxIdlePerDestination: -1\n", 8, 28, "'maxIdlePerDestination' must not be negative");

    [Fact]
    public void Zero_max_connections() => HasError(C + "    destinations: [a:1]\n    maxConnectionsPerDestination: 0\n", 8, 35, "must be at least 1");

    [Fact]
    public void Passive_health_keys() =>
        HasError(C + "    destinations: [a:1]\n    passiveHealth: {consecutiveFailures: -1, ejectDuraton: 5s}\n", 8, 42, "'consecutiveFailures' must not be negative");

    [Fact]
    public void Passive_health_unknown_key() =>
        HasError(C + "    destinations: [a:1]\n    passiveHealth: {ejectDuraton: 5s}\n", 8, 21, "unknown key 'ejectDuraton' in passiveHealth (did you mean 'ejectDuration'?)");

    [Fact]
    public void Active_health_path_and_thresholds() =>
        HasError(C + "    destinations: [a:1]\n    activeHealth:\n      path: health\n      healthyThreshold: 0\n", 9, 13, "'path': expected a path starting with '/'");

    [Fact]
    public void Active_health_timeout_longer_than_interval() =>
        HasError(C + "    destinations: [a:1]\n    activeHealth: {interval: 1s, timeout: 2s}\n", 8, 43, "activeHealth 'timeout' (2s) must not exceed 'interval' (1s)");

    [Fact]
    public void All_cluster_values_bind()
    {
        var c = Valid(C + """
                destinations: ['[fd00::1]:8080', svc.internal:9000]
                loadBalancing: PowerOfTwoChoices
                connectTimeout: 250ms
                responseTimeout: 1m
                idleTimeout: 40s
                maxIdlePerDestination: 0
                maxConnectionsPerDestination: 64
                passiveHealth: {consecutiveFailures: 0, ejectDuration: 1h}
                activeHealth: {}
            """).Clusters[0];
        Assert.Equal(["[fd00::1]:8080", "svc.internal:9000"], c.Destinations.Select(d => d.ToString()));
        Assert.Equal(EdgeServer.Config.Model.LoadBalancingPolicy.PowerOfTwoChoices, c.LoadBalancing);
        Assert.Equal(TimeSpan.FromMilliseconds(250), c.ConnectTimeout);
        Assert.Equal(TimeSpan.FromMinutes(1), c.ResponseTimeout);
        Assert.Equal(TimeSpan.FromSeconds(40), c.IdleTimeout);
        Assert.Equal(0, c.MaxIdlePerDestination);
        Assert.Equal(64, c.MaxConnectionsPerDestination);
        Assert.Equal(0, c.PassiveHealth.ConsecutiveFailures);
        Assert.Equal(TimeSpan.FromHours(1), c.PassiveHealth.EjectDuration);
        Assert.Equal(new EdgeServer.Config.Model.ActiveHealthConfig(), c.ActiveHealth);
        Assert.Equal(new EdgeServer.Config.Model.SourceMark(ConfigAssert.File, 6, 5), c.Mark);
    }
}
