using System.Security.Authentication;

namespace EdgeServer.Config.Model;

/// <summary>TLS termination on a listener: certificates by SNI name, protocols, handshake protection, client certificates.</summary>
public sealed record ListenerTlsConfig
{
    /// <summary>The first is the default: it answers clients that send no SNI name or one no certificate covers.</summary>
    public required IReadOnlyList<ServerCertificateConfig> Certificates { get; init; }
    public SslProtocols Protocols { get; init; } = SslProtocols.Tls12 | SslProtocols.Tls13;
    /// <summary>10 s: a real client finishes in a few round trips; a peer that stalls longer is holding a slot on purpose.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Handshakes are the expensive part of TLS: beyond this many at once, new connections are closed before any TLS work.</summary>
    public int MaxConcurrentHandshakes { get; init; } = 1024;
    public ClientCertificateConfig ClientCertificates { get; init; } = new();
    public SourceMark Mark { get; init; }
}

/// <summary>
/// A server certificate and its key: PEM files (cert may carry the chain after the leaf, and the key too when
/// KeyFile is left out), or one PFX. Password opens a PFX or an encrypted PEM key.
/// </summary>
public sealed record ServerCertificateConfig
{
    public string? CertificateFile { get; init; }
    public string? KeyFile { get; init; }
    public string? PfxFile { get; init; }
    public string? Password { get; init; }
    /// <summary>SNI names ("*.example.com" allowed) this certificate answers; empty = the DNS names in its SAN.</summary>
    public IReadOnlyList<string> Hosts { get; init; } = [];
    public SourceMark Mark { get; init; }
}

public enum ClientCertificateMode
{
    /// <summary>No certificate is asked for.</summary>
    None,
    /// <summary>Asked for; a connection without one is served, one with an invalid one is refused.</summary>
    Optional,
    /// <summary>A valid certificate is needed to complete the handshake.</summary>
    Require,
}

public enum StaleCrlPolicy
{
    /// <summary>A CRL past its nextUpdate refuses every certificate its CA issued: revocations since then are unknown.</summary>
    FailClosed,
    /// <summary>A stale CRL is still used as it is (and logged): availability over freshness.</summary>
    FailOpen,
}

public sealed record ClientCertificateConfig
{
    public ClientCertificateMode Mode { get; init; } = ClientCertificateMode.None;
    /// <summary>PEM files with the CA certificates client chains must lead to (roots, and intermediates clients may leave out).</summary>
    public IReadOnlyList<string> CaBundles { get; init; } = [];
    /// <summary>CRL files (PEM or DER), each signed by one of the CAs.</summary>
    public IReadOnlyList<string> Crls { get; init; } = [];
    /// <summary>CA certificates allowed above the leaf (nginx's ssl_verify_depth): 1 = issued straight by a trusted root.</summary>
    public int MaxChainDepth { get; init; } = 2;
    /// <summary>Also trust the operating system's roots; off because a public CA will issue client certificates to anyone.</summary>
    public bool UseSystemTrust { get; init; }
    public StaleCrlPolicy StaleCrl { get; init; } = StaleCrlPolicy.FailClosed;
    public ClientIdentityHeadersConfig Headers { get; init; } = new();
    public SourceMark Mark { get; init; }
}

/// <summary>
/// Header names that carry the client identity to backends; null turns one off. Whatever the client sent
/// under these names (and X-Forwarded-Client-Cert) is always removed first.
/// </summary>
public sealed record ClientIdentityHeadersConfig
{
    public string? Subject { get; init; } = "X-Client-Cert-Subject";
    public string? Issuer { get; init; } = "X-Client-Cert-Issuer";
    public string? Sans { get; init; } = "X-Client-Cert-San";
    public string? Serial { get; init; } = "X-Client-Cert-Serial";
    public string? Fingerprint { get; init; } = "X-Client-Cert-Sha256";
    public string? Verified { get; init; } = "X-Client-Cert-Verified";
    /// <summary>Envoy's X-Forwarded-Client-Cert (Hash, Subject, URI, DNS), for backends that already read it.</summary>
    public bool Xfcc { get; init; }
}
