using EdgeServer.Config.Model;
using EdgeServer.Config.Values;
using EdgeServer.Config.Yaml;
using YamlDotNet.RepresentationModel;

namespace EdgeServer.Config.Binding;

internal sealed partial class ConfigBinder
{
    private static readonly string[] RouteKeys = ["name", "match", "cluster", "mock", "maxBodyBytes", "clientCert", "waf", "rateLimits", "apiKey", "websocket", "webSocketApi"];
    private static readonly string[] MatchKeys = ["hosts", "path", "pathMatch", "methods"];
    private static readonly string[] MockKeys = ["status", "headers", "body"];

    private const string PathExpected = "a path starting with '/' (no query, no spaces)";

    private RouteConfig? BindRoute(YamlMappingNode map)
    {
        var mark = reader.MarkOf(map);
        var route = new RouteConfig { Name = "", Mark = mark };
        string? name = null;
        bool nameSeen = false, clusterSeen = false, mockSeen = false, broken = false;
        SourceMark nameMark = mark;
        foreach (var e in reader.Entries(map, "route", RouteKeys))
        {
            switch (e.Key)
            {
                case "name": (nameSeen, nameMark, name) = (true, reader.MarkOf(e.Value), Name(e)); break;
                case "match": route = BindMatch(e, route, ref broken); break;
                case "cluster":
                    clusterSeen = true;
                    route = route with { Cluster = Name(e), ClusterMark = reader.MarkOf(e.Value) };
                    if (route.Cluster is null) broken = true;
                    else Marks.ClusterReferences.Add((route.Cluster, route.ClusterMark));
                    break;
                case "mock":
                    mockSeen = true;
                    route = route with { Mock = BindMock(e) };
                    broken |= route.Mock is null;
                    break;
                case "waf":
                    route = route with { Waf = BindWaf(e, listener: false) };
                    broken |= route.Waf is null;
                    break;
                case "clientCert":
                    route = route with { ClientCert = BindRouteClientCert(e) };
                    broken |= route.ClientCert is null;
                    break;
                case "apiKey":
                    route = route with { ApiKey = BindRouteApiKey(e) };
                    broken |= route.ApiKey is null;
                    break;
                case "websocket":
                    route = route with { WebSocket = BindWebSocket(e) };
                    broken |= route.WebSocket is null;
                    break;
                case "webSocketApi":
                    route = route with { WebSocketApi = BindWebSocketApi(e) };
                    broken |= route.WebSocketApi is null;
                    break;
                case "rateLimits":
                    if (RateLimitReferences(e) is { } limits) route = route with { RateLimits = limits };
                    else broken = true;
                    break;
                case "maxBodyBytes":
                    route = route with { MaxBodyBytes = reader.Size(e, min: 0) };
                    broken |= route.MaxBodyBytes is null;
                    break;
            }
        }
        var label = name is null ? "route" : $"route '{name}'";
        if (!nameSeen) reader.Error(mark, "route is missing 'name'");
        if (clusterSeen && mockSeen)
            reader.Error(mark, $"{label} has both 'cluster' and 'mock'; expected exactly one of them");
        else if (!clusterSeen && !mockSeen && route.WebSocketApi?.Cluster is null)
            reader.Error(mark, $"{label} needs 'cluster' (forward to a cluster) or 'mock' (a fixed response)");
        broken |= WebSocketApiConflicts(route, label, mockSeen);
        if (mockSeen && route.WebSocket is { Enabled: true } ws)
        {
            reader.Error(ws.Mark, $"{label}: 'websocket' needs a 'cluster' to relay to; a mock route cannot accept WebSocket connections");
            broken = true;
        }
        broken |= PerKeyLimitWithoutIdentity(route, label);
        if (name is null || broken || (clusterSeen == mockSeen && route.WebSocketApi?.Cluster is null)) return null;
        Marks.RouteNames.Add(nameMark);
        return route with { Name = name };
    }

    /// <summary>
    /// maxConnectionsPerKey counts connections by API key or client certificate: a route that requires neither would
    /// admit connections it cannot count, and the limit would silently not apply. True when reported.
    /// </summary>
    private bool PerKeyLimitWithoutIdentity(RouteConfig route, string label)
    {
        var limits = route.WebSocketApi?.Limits ?? (route.WebSocket is { Enabled: true } relay ? relay : null);
        if (limits?.MaxConnectionsPerKey is null || route.ApiKey is not null || route.ClientCert is not null) return false;
        reader.Error(limits.MaxConnectionsPerKeyMark,
            $"{label}: 'maxConnectionsPerKey' counts connections per API key (or client certificate); add 'apiKey' (or 'clientCert') to the route so every connection has one");
        return true;
    }

    private RouteConfig BindMatch(YamlEntry section, RouteConfig route, ref bool broken)
    {
        if (reader.Mapping(section.Value, "'match'") is not { } map)
        {
            broken = true;
            return route;
        }
        foreach (var e in reader.Entries(map, "match", MatchKeys))
        {
            switch (e.Key)
            {
                case "hosts":
                    if (BindHosts(e) is { } hosts) route = route with { Hosts = hosts }; else broken = true;
                    break;
                case "path":
                    if (Path(e) is { } path) route = route with { Path = path }; else broken = true;
                    break;
                case "pathMatch":
                    if (reader.Enum<PathMatchKind>(e) is { } kind) route = route with { PathMatch = kind }; else broken = true;
                    break;
                case "methods":
                    if (BindMethods(e) is { } methods) route = route with { Methods = methods }; else broken = true;
                    break;
            }
        }
        return route;
    }

    private string? Path(YamlEntry e)
    {
        var path = reader.String(e, PathExpected);
        if (path is null) return null;
        string? problem = !path.StartsWith('/') ? "it must start with '/'"
            : path.AsSpan().IndexOfAny("?#") >= 0 ? "queries and fragments are not matched; leave out '?' and '#'"
            : !path.All(c => c > ' ' && c < 0x7F) ? "spaces, control and non-ASCII characters must be percent-encoded"
            : null;
        if (problem is null) return path;
        reader.Error(e.Value, $"'{e.Key}': expected {PathExpected}, got '{YamlNodeReader.Shorten(path)}': {problem}");
        return null;
    }

    private List<string>? BindHosts(YamlEntry e)
    {
        if (reader.Sequence(e.Value, "'hosts'") is not { } seq) return null;
        var hosts = new List<string>();
        bool ok = true;
        foreach (var node in seq.Children)
        {
            var text = reader.Scalar(node, "each host", "a host name such as api.example.com or *.example.com");
            if (text is null) { ok = false; continue; }
            if (!HostName.TryNormalizePattern(text, out var host, out var error))
            {
                reader.Error(node, $"host: {error}");
                ok = false;
            }
            else if (!hosts.Contains(host))
            {
                hosts.Add(host);
            }
        }
        return ok ? hosts : null;
    }

    /// <summary>Methods are upper-cased: HTTP methods are case-sensitive and every standard one is upper case.</summary>
    private List<string>? BindMethods(YamlEntry e)
    {
        if (reader.Sequence(e.Value, "'methods'") is not { } seq) return null;
        var methods = new List<string>();
        bool ok = true;
        foreach (var node in seq.Children)
        {
            var text = reader.Scalar(node, "each method", "an HTTP method such as GET");
            if (text is null) { ok = false; continue; }
            var method = text.Trim().ToUpperInvariant();
            if (!HttpSyntax.IsToken(method))
            {
                reader.Error(node, $"method: expected an HTTP method token such as GET or POST, got '{YamlNodeReader.Shorten(text)}'");
                ok = false;
            }
            else if (!methods.Contains(method))
            {
                methods.Add(method);
            }
        }
        return ok ? methods : null;
    }

    private MockConfig? BindMock(YamlEntry section)
    {
        if (reader.Mapping(section.Value, "'mock'") is not { } map) return null;
        var mock = new MockConfig();
        bool ok = true;
        YamlNode? bodyNode = null;
        foreach (var e in reader.Entries(map, "mock", MockKeys))
        {
            switch (e.Key)
            {
                // 1xx are interim responses and cannot end an exchange; 600+ do not exist.
                case "status": if (reader.Int(e, min: 200, max: 599) is { } status) mock = mock with { Status = status }; else ok = false; break;
                case "headers": if (BindMockHeaders(e) is { } headers) mock = mock with { Headers = headers }; else ok = false; break;
                case "body": bodyNode = e.Value; if (reader.String(e) is { } body) mock = mock with { Body = body }; else ok = false; break;
            }
        }
        if (mock.Status is 204 or 304 && mock.Body.Length > 0)
        {
            reader.Error(bodyNode ?? map, $"mock status {mock.Status} must not have a body");
            ok = false;
        }
        return ok ? mock : null;
    }

    private List<KeyValuePair<string, string>>? BindMockHeaders(YamlEntry section)
    {
        if (reader.Mapping(section.Value, "'headers'") is not { } map) return null;
        var headers = new List<KeyValuePair<string, string>>();
        bool ok = true;
        foreach (var (keyNode, valueNode) in map.Children)
        {
            var name = reader.Scalar(keyNode, "header name", "a header name");
            var value = reader.Scalar(valueNode, $"header '{name}'", "a header value");
            if (name is null || value is null) { ok = false; continue; }
            string? problem = !HttpSyntax.IsToken(name) ? $"header name '{YamlNodeReader.Shorten(name)}' is not a valid token (letters, digits and !#$%&'*+-.^_`|~)"
                : name.Equals("content-length", StringComparison.OrdinalIgnoreCase) || name.Equals("transfer-encoding", StringComparison.OrdinalIgnoreCase)
                    ? $"header '{name}' is set by the server from the body; remove it"
                : null;
            if (problem is not null)
            {
                reader.Error(keyNode, problem);
                ok = false;
            }
            else if (!HttpSyntax.IsFieldValue(value))
            {
                reader.Error(valueNode, $"header '{name}': value must be a single line of Latin-1 text without control characters (no CR or LF)");
                ok = false;
            }
            else
            {
                headers.Add(new(name, value.Trim()));
            }
        }
        return ok ? headers : null;
    }
}
