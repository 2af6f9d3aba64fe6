using System.Net;

namespace EdgeServer.Config.Model;

public sealed record ListenerConfig
{
    public required string Name { get; init; }
    public required IPEndPoint Address { get; init; }
    /// <summary>When true, X-Forwarded-* and X-Request-Id sent by the peer are kept and appended to; otherwise replaced.</summary>
    public bool TrustForwardedHeaders { get; init; }
    /// <summary>Null: plain HTTP.</summary>
    public ListenerTlsConfig? Tls { get; init; }
    /// <summary>Null: no web ACL on this listener.</summary>
    public WafFilesConfig? Waf { get; init; }
    /// <summary>Rate limits (by name) applied to every request on this listener, before the route's own.</summary>
    public IReadOnlyList<string> RateLimits { get; init; } = [];
    /// <summary>Null: no per-address connection limits.</summary>
    public ConnectionLimitsConfig? ConnectionLimits { get; init; }
    public SourceMark Mark { get; init; }
}
