using EdgeServer.Config.Model;
using EdgeServer.Config.Values;
using EdgeServer.Config.Yaml;
using EdgeServer.WebSocketApi;
using YamlDotNet.RepresentationModel;

namespace EdgeServer.Config.Binding;

// routes[].webSocketApi: route keys, the selection expression, the backend cluster and timeout, and the limits the
// relay's websocket section also has (same names and meanings, API Gateway's defaults).
internal sealed partial class ConfigBinder
{
    private static readonly string[] WebSocketApiKeys =
    [
        "routeSelection", "routes", "cluster", "backendTimeout", "maxQueuedMessages",
        "maxFrameBytes", "maxMessageBytes", "messagesPerSecond", "messagesBurst", "idleTimeout", "pingInterval", "maxConnectionsPerIp", "maxConnectionsPerKey", "validateUtf8",
    ];
    private static readonly string[] WebSocketApiRouteKeys = ["path", "reply"];

    /// <summary>Longest custom route key: API Gateway's own limit, and far more than an action name needs.</summary>
    private const int MaxRouteKeyLength = 128;

    private WebSocketApiConfig? BindWebSocketApi(YamlEntry section)
    {
        if (reader.Mapping(section.Value, "'webSocketApi'") is not { } map) return null;
        var api = new WebSocketApiConfig { Mark = reader.MarkOf(map) };
        var limits = api.Limits;
        var ok = true;
        YamlNode? pingNode = null, selectionNode = null;
        foreach (var e in reader.Entries(map, "webSocketApi", WebSocketApiKeys))
        {
            switch (e.Key)
            {
                case "routeSelection":
                    selectionNode = e.Value;
                    if (reader.NonEmptyString(e, "an expression such as $request.body.action") is not { } selection) { ok = false; break; }
                    if (!RouteSelector.TryParse(selection, out _, out var problem))
                    {
                        reader.Error(e.Value, $"'routeSelection': {problem}");
                        ok = false;
                        break;
                    }
                    api = api with { RouteSelection = selection };
                    break;
                case "routes": if (BindWebSocketApiRoutes(e) is { } routes) api = api with { Routes = routes }; else ok = false; break;
                case "cluster":
                    if (Name(e) is { } cluster)
                    {
                        api = api with { Cluster = cluster, ClusterMark = reader.MarkOf(e.Value) };
                        Marks.ClusterReferences.Add((cluster, api.ClusterMark));
                    }
                    else ok = false;
                    break;
                case "backendTimeout": if (reader.Duration(e) is { } timeout) api = api with { BackendTimeout = timeout }; else ok = false; break;
                case "maxQueuedMessages": if (reader.Int(e, min: 1, max: 10_000) is { } queued) api = api with { MaxQueuedMessages = queued }; else ok = false; break;
                case "maxFrameBytes": if (reader.Size(e, min: 1, max: MaxWebSocketSize) is { } frame) limits = limits with { MaxFrameBytes = frame }; else ok = false; break;
                // The edge buffers each message whole: 2 GiB is what one array holds.
                case "maxMessageBytes": if (reader.Size(e, min: 1, max: int.MaxValue) is { } message) limits = limits with { MaxMessageBytes = message }; else ok = false; break;
                case "messagesPerSecond": if (reader.Int(e, min: 0, max: 1_000_000) is { } rate) limits = limits with { MessagesPerSecond = rate }; else ok = false; break;
                case "messagesBurst": if (reader.Int(e, min: 1, max: 1_000_000) is { } burst) limits = limits with { MessagesBurst = burst }; else ok = false; break;
                case "idleTimeout": if (reader.Duration(e) is { } idle) limits = limits with { IdleTimeout = idle }; else ok = false; break;
                case "pingInterval":
                    pingNode = e.Value;
                    if (reader.Duration(e, allowZero: true) is { } ping) limits = limits with { PingInterval = ping }; else ok = false;
                    break;
                case "maxConnectionsPerIp": if (reader.Int(e, min: 1) is { } perIp) limits = limits with { MaxConnectionsPerIp = perIp }; else ok = false; break;
                case "maxConnectionsPerKey":
                    if (reader.Int(e, min: 1) is { } perKey) limits = limits with { MaxConnectionsPerKey = perKey, MaxConnectionsPerKeyMark = reader.MarkOf(e.Value) };
                    else ok = false;
                    break;
                case "validateUtf8": if (reader.Bool(e) is { } utf8) limits = limits with { ValidateUtf8 = utf8 }; else ok = false; break;
            }
        }
        if (!ok) return null;
        if (limits.PingInterval > TimeSpan.Zero && limits.PingInterval >= limits.IdleTimeout)
        {
            reader.Error(pingNode ?? (YamlNode)map,
                $"webSocketApi: 'pingInterval' ({DurationValue.Format(limits.PingInterval)}) must be shorter than 'idleTimeout' ({DurationValue.Format(limits.IdleTimeout)}): a client must have time to answer a ping before it counts as idle");
            return null;
        }
        if (limits.MaxFrameBytes > limits.MaxMessageBytes) limits = limits with { MaxFrameBytes = limits.MaxMessageBytes };
        api = api with { Limits = limits };
        if (api.Routes.Count == 0)
        {
            reader.Error(map, "webSocketApi needs 'routes' with at least one route key ($connect, $disconnect, $default or a custom key) and its backend 'path'");
            return null;
        }
        var custom = api.Routes.FirstOrDefault(r => !r.Key.StartsWith('$'));
        if (custom is not null && api.RouteSelection is null)
        {
            reader.Error(custom.Mark, $"webSocketApi: custom route key '{custom.Key}' needs 'routeSelection' (such as $request.body.action) to pick it from messages");
            return null;
        }
        if (api.RouteSelection is not null && api.Routes.All(r => r.Key.StartsWith('$')))
        {
            reader.Error(selectionNode!, "webSocketApi: 'routeSelection' selects custom route keys, but 'routes' has none; add one (such as sendMessage: {path: /messages}) or remove 'routeSelection'");
            return null;
        }
        return api;
    }

    /// <summary>A WebSocket API terminates the connection: it cannot also be a mock or a relay. True when reported.</summary>
    private bool WebSocketApiConflicts(RouteConfig route, string label, bool mock)
    {
        if (route.WebSocketApi is not { } api) return false;
        if (mock)
        {
            reader.Error(api.Mark, $"{label}: 'webSocketApi' calls backends of a cluster; a mock route cannot be a WebSocket API");
            return true;
        }
        if (route.WebSocket is { Enabled: true } relay)
        {
            reader.Error(relay.Mark, $"{label}: a route is either a WebSocket relay ('websocket') or a WebSocket API ('webSocketApi'), not both");
            return true;
        }
        return false;
    }

    private List<WebSocketApiRouteKeyConfig>? BindWebSocketApiRoutes(YamlEntry section)
    {
        if (reader.Mapping(section.Value, "'routes'") is not { } map) return null;
        var routes = new List<WebSocketApiRouteKeyConfig>();
        var ok = true;
        foreach (var (keyNode, valueNode) in map.Children)
        {
            var key = reader.Scalar(keyNode, "route key", "a route key ($connect, $disconnect, $default, or a name such as sendMessage)");
            if (key is null) { ok = false; continue; }
            string? problem = key.Length == 0 || key.Length > MaxRouteKeyLength ? $"must be 1 to {MaxRouteKeyLength} characters"
                : key.StartsWith('$') && key is not (WebSocketApiConfig.Connect or WebSocketApiConfig.Disconnect or WebSocketApiConfig.Default)
                    ? $"the only keys starting with '$' are {WebSocketApiConfig.Connect}, {WebSocketApiConfig.Disconnect} and {WebSocketApiConfig.Default}"
                : !key.All(c => c > ' ' && c < 0x7F) ? "must be printable ASCII without spaces"
                : null;
            if (problem is not null)
            {
                var suggestion = key.StartsWith('$') ? KeySuggestion.Closest(key, [WebSocketApiConfig.Connect, WebSocketApiConfig.Disconnect, WebSocketApiConfig.Default]) : null;
                reader.Error(keyNode, $"route key '{YamlNodeReader.Shorten(key)}': {problem}{(suggestion is null ? "" : $" (did you mean '{suggestion}'?)")}");
                ok = false;
                continue;
            }
            if (routes.Any(r => r.Key == key))
            {
                reader.Error(keyNode, $"route key '{key}' is listed twice");
                ok = false;
                continue;
            }
            if (BindWebSocketApiRoute(key, valueNode) is { } route) routes.Add(route with { Mark = reader.MarkOf(keyNode) });
            else ok = false;
        }
        return ok ? routes : null;
    }

    private WebSocketApiRouteKeyConfig? BindWebSocketApiRoute(string key, YamlNode node)
    {
        if (reader.Mapping(node, $"route key '{key}'") is not { } map) return null;
        string? path = null;
        var reply = false;
        var ok = true;
        foreach (var e in reader.Entries(map, $"route key '{key}'", WebSocketApiRouteKeys))
        {
            switch (e.Key)
            {
                case "path": if (Path(e) is { } p) path = p; else ok = false; break;
                case "reply":
                    if (reader.Bool(e) is not { } r) { ok = false; break; }
                    if (r && key is WebSocketApiConfig.Connect or WebSocketApiConfig.Disconnect)
                    {
                        reader.Error(e.Value, $"route key '{key}': 'reply' is for messages; {key} has no client message to answer (a $connect backend refuses with its status instead)");
                        ok = false;
                        break;
                    }
                    reply = r;
                    break;
            }
        }
        if (path is null && ok)
        {
            reader.Error(map, $"route key '{key}' needs 'path': the backend path its calls are POSTed to");
            return null;
        }
        return ok ? new WebSocketApiRouteKeyConfig { Key = key, Path = path!, Reply = reply } : null;
    }
}
