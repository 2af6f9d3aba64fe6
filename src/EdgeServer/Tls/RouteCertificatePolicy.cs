using EdgeServer.Config.Model;

namespace EdgeServer.Tls;

/// <summary>
/// A route's client certificate requirements, compiled: any route with one needs a verified identity, and
/// every non-empty list must match. <see cref="Check"/> allocates nothing: requests on a connection reuse
/// its identity, so the cost is a few string comparisons.
/// </summary>
internal sealed class RouteCertificatePolicy
{
    private readonly string[] _subjects;
    private readonly string[] _issuers;
    private readonly string[] _sanDns;
    private readonly string[] _sanUri;
    private readonly string[] _fingerprints;

    public RouteCertificatePolicy(RouteClientCertConfig config)
    {
        _subjects = [.. config.Subjects.SelectMany(BothOrders)];
        _issuers = [.. config.Issuers.SelectMany(BothOrders)];
        _sanDns = [.. config.SanDns];
        _sanUri = [.. config.SanUri];
        _fingerprints = [.. config.Fingerprints.Select(NormalizeFingerprint)];
    }

    /// <summary>Null when the identity satisfies the route; otherwise the reason for the 403.</summary>
    public string? Check(ClientIdentity? identity)
    {
        if (identity is null) return "this route requires a verified client certificate";
        if (_subjects.Length > 0 && !Contains(_subjects, identity.SubjectKey)) return "client certificate subject is not allowed on this route";
        if (_issuers.Length > 0 && !Contains(_issuers, identity.IssuerKey)) return "client certificate issuer is not allowed on this route";
        if (_sanDns.Length > 0 && !AnyDnsMatches(identity.DnsNames)) return "no client certificate SAN DNS name is allowed on this route";
        if (_sanUri.Length > 0 && !AnyUriMatches(identity.Uris)) return "no client certificate SAN URI is allowed on this route";
        if (_fingerprints.Length > 0 && !Contains(_fingerprints, identity.Sha256)) return "client certificate fingerprint is not pinned on this route";
        return null;
    }

    private static string[] BothOrders(string name)
    {
        var (written, reversed) = DistinguishedNames.CanonicalBothOrders(name);
        return [written, reversed];
    }

    public static string NormalizeFingerprint(string hex) => hex.Replace(":", "", StringComparison.Ordinal).ToLowerInvariant();

    private static bool Contains(string[] allowed, string value)
    {
        foreach (var a in allowed)
        {
            if (string.Equals(a, value, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }

    private bool AnyDnsMatches(string[] names)
    {
        foreach (var name in names)
        {
            foreach (var pattern in _sanDns)
            {
                if (pattern.StartsWith("*.", StringComparison.Ordinal))
                {
                    var dot = name.IndexOf('.', StringComparison.Ordinal);
                    if (dot > 0 && name.AsSpan(dot + 1).Equals(pattern.AsSpan(2), StringComparison.OrdinalIgnoreCase)) return true;
                }
                else if (string.Equals(pattern, name, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }
        return false;
    }

    private bool AnyUriMatches(string[] uris)
    {
        foreach (var uri in uris)
        {
            foreach (var pattern in _sanUri)
            {
                // URIs (SPIFFE IDs) are case-sensitive in their path: compare ordinally.
                if (pattern.EndsWith('*') ? uri.StartsWith(pattern.AsSpan(0, pattern.Length - 1), StringComparison.Ordinal)
                    : string.Equals(pattern, uri, StringComparison.Ordinal)) return true;
            }
        }
        return false;
    }
}
