using EdgeServer.Config;
using EdgeServer.Config.Model;
using static EdgeServer.Tests.Config.ConfigAssert;

namespace EdgeServer.Tests.Config;

/// <summary>routes[].websocket: defaults, every key, and errors at the offending value.</summary>
public sealed class WebSocketConfigTests
{
    // Line 5: routes; line 6: the route under test (websocket on it); then its cluster.
    private static string Route(string websocket) =>
        Listener + $"routes:\n  - {{name: ws, cluster: c, websocket: {websocket}}}\nclusters:\n  - {{name: c, destinations: [127.0.0.1:9]}}\n";

    [Fact]
    public void Enabled_alone_takes_the_named_defaults()
    {
        var ws = Valid(Route("{enabled: true}")).Routes[0].WebSocket!;
        Assert.True(ws.Enabled);
        Assert.Equal(WebSocketConfig.DefaultMaxFrameBytes, ws.MaxFrameBytes);
        Assert.Equal(WebSocketConfig.DefaultMaxMessageBytes, ws.MaxMessageBytes);
        Assert.Equal(0, ws.MessagesPerSecond);
        Assert.Equal(WebSocketConfig.DefaultIdleTimeout, ws.IdleTimeout);
        Assert.Equal(WebSocketConfig.DefaultPingInterval, ws.PingInterval);
        Assert.Null(ws.MaxConnectionsPerIp);
        Assert.Null(ws.MaxConnectionsPerKey);
        Assert.True(ws.ValidateUtf8);
    }

    [Fact]
    public void Every_key_binds_and_shows_in_the_config_json()
    {
        var config = Valid(Route("{enabled: true, maxFrameBytes: 64KiB, maxMessageBytes: 1MiB, messagesPerSecond: 50, messagesBurst: 100, idleTimeout: 2m, pingInterval: 0s, maxConnectionsPerIp: 20, validateUtf8: false}"));
        var ws = config.Routes[0].WebSocket!;
        Assert.Equal((64 * 1024L, 1024 * 1024L, 50, 100), (ws.MaxFrameBytes, ws.MaxMessageBytes, ws.MessagesPerSecond, ws.MessagesBurst));
        Assert.Equal((TimeSpan.FromMinutes(2), TimeSpan.Zero, 20, false), (ws.IdleTimeout, ws.PingInterval, ws.MaxConnectionsPerIp, ws.ValidateUtf8));
        var json = ConfigJson.ToJsonString(config);
        Assert.Contains("\"maxConnectionsPerIp\": 20", json, StringComparison.Ordinal);
        Assert.Contains("\"messagesPerSecond\": 50", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Max_connections_per_key_binds_on_a_route_that_requires_an_identity_and_shows_in_the_config_json()
    {
        var config = Valid(Listener + "routes:\n  - {name: ws, cluster: c, clientCert: {}, websocket: {enabled: true, maxConnectionsPerKey: 3}}\n" +
            "clusters:\n  - {name: c, destinations: [127.0.0.1:9]}\n");
        Assert.Equal(3, config.Routes[0].WebSocket!.MaxConnectionsPerKey);
        Assert.Contains("\"maxConnectionsPerKey\": 3", ConfigJson.ToJsonString(config), StringComparison.Ordinal);
        Assert.Contains("\"maxConnectionsPerKey\": null", ConfigJson.ToJsonString(Valid(Route("{enabled: true}"))), StringComparison.Ordinal);
    }

    [Fact]
    public void Max_connections_per_key_on_a_route_without_api_key_or_client_cert_is_refused_at_the_value() =>
        HasError(Route("{enabled: true, maxConnectionsPerKey: 2}"), 6, 77, "route 'ws'", "'maxConnectionsPerKey'", "add 'apiKey'");

    [Fact]
    public void Unknown_keys_are_errors_with_a_suggestion() =>
        HasError(Route("{enabled: true, maxFrameSize: 1KiB}"), 6, 55, "maxFrameSize", "maxFrameBytes");

    [Fact]
    public void A_ping_interval_not_below_the_idle_timeout_is_refused_at_the_ping_interval() =>
        HasError(Route("{enabled: true, idleTimeout: 10s, pingInterval: 10s}"), 6, 87, "'pingInterval' (10s) must be shorter than 'idleTimeout' (10s)");

    [Fact]
    public void Bad_values_are_refused_at_the_value()
    {
        HasError(Route("{enabled: yes}"), 6, 49, "expected true or false");
        HasError(Route("{enabled: true, maxMessageBytes: -1}"), 6, 72, "must not be negative");
        HasError(Route("{enabled: true, maxConnectionsPerIp: 0}"), 6, 76, "'maxConnectionsPerIp'");
        HasError(Route("{enabled: true, maxConnectionsPerKey: 0}"), 6, 77, "'maxConnectionsPerKey'");
        HasError(Route("{enabled: true, maxConnectionsPerKey: many}"), 6, 77, "'maxConnectionsPerKey'");
    }

    [Fact]
    public void A_mock_route_cannot_relay_websockets() =>
        HasError(Listener + "routes:\n  - {name: m, mock: {status: 200}, websocket: {enabled: true}}\n", 6, 47, "needs a 'cluster'");
}
