namespace EdgeServer.Config.Model;

/// <summary>
/// What a route demands of the client certificate. Present = a verified certificate is required; each
/// non-empty list must match (any one entry of it), so lists narrow each other.
/// </summary>
public sealed record RouteClientCertConfig
{
    /// <summary>Distinguished names, e.g. "CN=alice, O=Example", in either order; attribute values compare case-insensitively.</summary>
    public IReadOnlyList<string> Subjects { get; init; } = [];
    public IReadOnlyList<string> Issuers { get; init; } = [];
    /// <summary>SAN DNS names; "*.example.com" matches one label.</summary>
    public IReadOnlyList<string> SanDns { get; init; } = [];
    /// <summary>SAN URIs (SPIFFE IDs); a trailing "*" matches any rest, e.g. "spiffe://prod.example/ns/payments/*".</summary>
    public IReadOnlyList<string> SanUri { get; init; } = [];
    /// <summary>SHA-256 fingerprints of the leaf certificate, as 64 hex digits (colons allowed).</summary>
    public IReadOnlyList<string> Fingerprints { get; init; } = [];
    public SourceMark Mark { get; init; }
}
