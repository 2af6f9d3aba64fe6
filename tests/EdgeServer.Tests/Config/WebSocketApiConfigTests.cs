using EdgeServer.Config.Model;
using static EdgeServer.Tests.Config.ConfigAssert;

namespace EdgeServer.Tests.Config;

/// <summary>routes[].webSocketApi: what binds, the defaults, and each mistake reported at its line and column.</summary>
public sealed class WebSocketApiConfigTests
{
    // Lines 5-7: cluster "api"; the route starts at line 9, its webSocketApi at line 11.
    private const string L = Listener + "clusters:\n  - name: api\n    destinations: [10.0.0.1:80]\n";

    private static string Api(string body, string routeExtra = "    cluster: api\n") =>
        L + "routes:\n  - name: r\n" + routeExtra + "    webSocketApi:\n" + body;

    private const string Keys = "      routes:\n        $connect: {path: /connect}\n        $default: {path: /default, reply: true}\n";

    [Fact]
    public void Binds_route_keys_selection_and_limits_with_the_api_defaults()
    {
        var config = Valid(Api("      routeSelection: $request.body.action\n      backendTimeout: 3s\n      maxMessageBytes: 64KiB\n" + Keys +
            "        sendMessage: {path: /messages}\n"));
        var api = config.Routes.Single().WebSocketApi!;
        Assert.Equal("$request.body.action", api.RouteSelection);
        Assert.Equal(["$connect", "$default", "sendMessage"], api.Routes.Select(r => r.Key));
        Assert.Equal([false, true, false], api.Routes.Select(r => r.Reply));
        Assert.Equal("/messages", api.Routes[2].Path);
        Assert.Equal(TimeSpan.FromSeconds(3), api.BackendTimeout);
        Assert.Equal(64 * 1024, api.Limits.MaxMessageBytes);
        Assert.Equal(WebSocketApiConfig.DefaultMaxFrameBytes, api.Limits.MaxFrameBytes);
        Assert.Equal(WebSocketApiConfig.DefaultIdleTimeout, api.Limits.IdleTimeout);
        Assert.Equal(WebSocketApiConfig.DefaultMaxQueuedMessages, api.MaxQueuedMessages);
        Assert.True(api.Limits.Enabled);
    }

    [Fact]
    public void The_api_may_name_its_own_cluster_instead_of_the_route()
    {
        var config = Valid(Api("      cluster: api\n" + Keys, routeExtra: ""));
        Assert.Equal("api", config.Routes.Single().WebSocketApi!.Cluster);
        Assert.Null(config.Routes.Single().Cluster);
    }

    [Fact]
    public void Unknown_api_cluster_points_at_the_value() =>
        HasError(Api("      cluster: apj\n" + Keys, routeExtra: ""), 11, 16, "unknown cluster 'apj' (did you mean 'api'?)");

    [Fact]
    public void Selection_must_be_a_request_body_path() =>
        HasError(Api("      routeSelection: $request.header.action\n" + Keys + "        x: {path: /x}\n"), 12, 23, "'routeSelection': expected $request.body.NAME");

    [Fact]
    public void Custom_keys_need_a_selection_expression() =>
        HasError(Api(Keys + "        sendMessage: {path: /messages}\n"), 15, 9, "custom route key 'sendMessage' needs 'routeSelection'");

    [Fact]
    public void Selection_without_custom_keys_is_reported() =>
        HasError(Api("      routeSelection: $request.body.action\n" + Keys), 12, 23, "'routeSelection' selects custom route keys, but 'routes' has none");

    [Fact]
    public void Unknown_dollar_key_gets_a_suggestion() =>
        HasError(Api("      routes:\n        $conect: {path: /c}\n"), 13, 9, "route key '$conect'", "(did you mean '$connect'?)");

    [Fact]
    public void Reply_is_not_for_connect() =>
        HasError(Api("      routes:\n        $connect: {path: /c, reply: true}\n"), 13, 37, "route key '$connect': 'reply' is for messages");

    [Fact]
    public void A_route_key_needs_a_path() =>
        HasError(Api("      routes:\n        $default: {reply: true}\n"), 13, 19, "route key '$default' needs 'path'");

    [Fact]
    public void A_path_must_start_with_a_slash() =>
        HasError(Api("      routes:\n        $default: {path: default}\n"), 13, 26, "'path': expected a path starting with '/'");

    [Fact]
    public void Routes_must_not_be_empty() =>
        HasError(Api("      backendTimeout: 1s\n"), 12, 7, "webSocketApi needs 'routes'");

    [Fact]
    public void Unknown_keys_are_reported_with_a_suggestion() =>
        HasError(Api("      idleTimout: 1m\n" + Keys), 12, 7, "unknown key 'idleTimout' in webSocketApi (did you mean 'idleTimeout'?)");

    [Fact]
    public void Ping_must_be_shorter_than_idle() =>
        HasError(Api("      idleTimeout: 10s\n      pingInterval: 10s\n" + Keys), 13, 21, "'pingInterval' (10s) must be shorter than 'idleTimeout' (10s)");

    [Fact]
    public void A_mock_route_cannot_be_an_api() =>
        HasError(Api(Keys, routeExtra: "    mock: {status: 200}\n"), 12, 7, "a mock route cannot be a WebSocket API");

    [Fact]
    public void A_route_is_not_both_relay_and_api() =>
        HasError(Api(Keys, routeExtra: "    cluster: api\n    websocket: {enabled: true}\n"), 11, 16, "either a WebSocket relay ('websocket') or a WebSocket API ('webSocketApi')");

    [Fact]
    public void Max_connections_per_key_binds_when_the_route_requires_an_identity_and_shows_in_the_config_json()
    {
        var config = Valid(Api("      maxConnectionsPerKey: 4\n" + Keys, routeExtra: "    cluster: api\n    clientCert: {}\n"));
        Assert.Equal(4, config.Routes.Single().WebSocketApi!.Limits.MaxConnectionsPerKey);
        Assert.Contains("\"maxConnectionsPerKey\": 4", EdgeServer.Config.ConfigJson.ToJsonString(config), StringComparison.Ordinal);
    }

    [Fact]
    public void Max_connections_per_key_needs_an_api_key_or_client_cert_and_a_positive_count()
    {
        HasError(Api("      maxConnectionsPerKey: 4\n" + Keys), 12, 29, "route 'r'", "add 'apiKey' (or 'clientCert')");
        HasError(Api("      maxConnectionsPerKey: 0\n" + Keys, routeExtra: "    cluster: api\n    clientCert: {}\n"), 13, 29, "'maxConnectionsPerKey'");
    }
}
