namespace EdgeServer.Config.Model;

public enum PathMatchKind
{
    Prefix,
    Exact,
}

public sealed record RouteConfig
{
    public required string Name { get; init; }
    /// <summary>Exact host names or "*.example.com" wildcards (matched case-insensitively, port ignored). Empty = any host.</summary>
    public IReadOnlyList<string> Hosts { get; init; } = [];
    public string Path { get; init; } = "/";
    public PathMatchKind PathMatch { get; init; } = PathMatchKind.Prefix;
    /// <summary>Upper-case method names. Empty = any method.</summary>
    public IReadOnlyList<string> Methods { get; init; } = [];
    /// <summary>Exactly one of Cluster and Mock is set.</summary>
    public string? Cluster { get; init; }
    public MockConfig? Mock { get; init; }
    /// <summary>Null: the global limit applies.</summary>
    public long? MaxBodyBytes { get; init; }
    /// <summary>Null: no client certificate needed.</summary>
    public RouteClientCertConfig? ClientCert { get; init; }
    /// <summary>Null: only the listener's web ACL applies.</summary>
    public WafFilesConfig? Waf { get; init; }
    /// <summary>Rate limits (by name) for this route, checked with the listener's; the strictest decides.</summary>
    public IReadOnlyList<string> RateLimits { get; init; } = [];
    /// <summary>Null: no API key needed.</summary>
    public RouteApiKeyConfig? ApiKey { get; init; }
    /// <summary>Null: WebSocket handshakes are refused on this route.</summary>
    public WebSocketConfig? WebSocket { get; init; }
    /// <summary>Null: not a WebSocket API. Set: the edge terminates WebSockets and calls backends per route key.</summary>
    public WebSocketApiConfig? WebSocketApi { get; init; }
    public SourceMark Mark { get; init; }
    public SourceMark ClusterMark { get; init; }
}

public sealed record MockConfig
{
    public int Status { get; init; } = 200;
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];
    public string Body { get; init; } = "";
}
