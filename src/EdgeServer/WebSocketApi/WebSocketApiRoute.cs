using EdgeServer.Config.Model;
using EdgeServer.Upstream;
using EdgeServer.WebSockets;

namespace EdgeServer.WebSocketApi;

/// <summary>One route key compiled: its backend path, two-way or not, and its metric cells.</summary>
internal sealed class RouteKeyTarget(WebSocketApiRouteKeyConfig config, long[] cells)
{
    public string Key { get; } = config.Key;
    public string Path { get; } = config.Path;
    public bool Reply { get; } = config.Reply;
    public long[] Cells { get; } = cells;
}

/// <summary>
/// A WebSocket API route compiled for one config snapshot: targets per route key, the selector, the backend
/// cluster and its integration client, and the limits (the relay's <see cref="WebSocketPolicy"/>, whose per-address
/// counter and metric cells outlive the snapshot). A connection keeps the snapshot it was opened on, so a reload
/// changes nothing for open connections and never drops one.
/// </summary>
internal sealed class WebSocketApiRoute
{
    public WebSocketApiRoute(string name, WebSocketApiConfig config, UpstreamCluster cluster, IntegrationClient client, WebSocketPolicy policy, WebSocketApiMetrics metrics)
    {
        Name = name;
        Config = config;
        Cluster = cluster;
        Client = client;
        Policy = policy;
        Metrics = metrics;
        if (config.RouteSelection is { } expression && RouteSelector.TryParse(expression, out var selector, out _)) Selector = selector;
        var custom = new List<RouteKeyTarget>();
        foreach (var key in config.Routes)
        {
            var target = new RouteKeyTarget(key, metrics.CallCells(key.Key));
            switch (key.Key)
            {
                case WebSocketApiConfig.Connect: Connect = target; break;
                case WebSocketApiConfig.Disconnect: Disconnect = target; break;
                case WebSocketApiConfig.Default: Default = target; break;
                default: custom.Add(target); break;
            }
        }
        Custom = [.. custom];
        CustomKeys = [.. custom.Select(t => System.Text.Encoding.ASCII.GetBytes(t.Key))];
        BackendTimeout = config.BackendTimeout;
    }

    public string Name { get; }
    public WebSocketApiConfig Config { get; }
    public UpstreamCluster Cluster { get; }
    public IntegrationClient Client { get; }
    public WebSocketPolicy Policy { get; }
    public WebSocketApiMetrics Metrics { get; }
    public RouteSelector? Selector { get; }
    public RouteKeyTarget? Connect { get; }
    public RouteKeyTarget? Disconnect { get; }
    public RouteKeyTarget? Default { get; }
    public RouteKeyTarget[] Custom { get; }
    public byte[][] CustomKeys { get; }
    public TimeSpan BackendTimeout { get; }
    public int MaxMessageBytes => (int)Policy.Config.MaxMessageBytes;

    /// <summary>The target for a data message: a custom key its JSON names, else $default; null: neither (the message is dropped).</summary>
    public RouteKeyTarget? Select(bool text, ReadOnlySpan<byte> message)
    {
        if (text && Selector is not null && Custom.Length > 0)
        {
            var index = Selector.Select(message, CustomKeys);
            if (index >= 0) return Custom[index];
        }
        return Default;
    }
}
