using System.Security.Authentication;
using EdgeServer.Config.Tls;

namespace EdgeServer.Config.Model;

/// <summary>
/// A cluster's HTTPS to its destinations: whom to trust, what name to verify (and send as SNI), and
/// which client certificate to present. Paths are kept as written (for /config); the files themselves
/// were read once, while the config was loaded, into <see cref="Material"/>.
/// </summary>
public sealed record UpstreamTlsConfig
{
    /// <summary>PEM bundle of the CAs the backend's chain must lead to (custom root trust).</summary>
    public string? CaBundle { get; init; }
    /// <summary>Trust the system store instead of a bundle.</summary>
    public bool UseSystemTrust { get; init; }
    /// <summary>SNI and the name verified; null: the destination's host when it is a DNS name, else its IP.</summary>
    public string? ServerName { get; init; }
    /// <summary>PEM (leaf first, then its chain) or a .pfx/.p12.</summary>
    public string? ClientCertificate { get; init; }
    /// <summary>PEM private key; null: in the <see cref="ClientCertificate"/> file itself (PEM) or inside the .pfx.</summary>
    public string? ClientKey { get; init; }
    /// <summary>Decrypts an encrypted PEM key or the .pfx. A secret: redacted in /config.</summary>
    public string? ClientKeyPassword { get; init; }
    /// <summary>5 s, and never more than what is left of the cluster's connect timeout after the TCP connect.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(5);
    public SslProtocols Protocols { get; init; } = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>
    /// The loaded trust anchors and client certificate. Equal when the files' contents are equal, so a
    /// reload rebuilds the cluster (and its pools) exactly when a certificate file changed on disk.
    /// </summary>
    internal UpstreamTlsMaterial Material { get; init; } = UpstreamTlsMaterial.Empty;
}
