using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EdgeServer.Config.Tls;

/// <summary>
/// What a cluster's TLS files held when the config was loaded: the trust policy built from the CA
/// bundle and the client certificate context. Built once per load and shared by every connection of
/// the cluster (SslStream clones the policy per handshake), so nothing is rebuilt per connection.
/// Two materials are equal when the files they were read from had the same paths and bytes.
/// </summary>
internal sealed class UpstreamTlsMaterial : IEquatable<UpstreamTlsMaterial>
{
    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";

    private readonly byte[] _fingerprint;

    public UpstreamTlsMaterial(X509Certificate2Collection? trustedRoots, SslStreamCertificateContext? clientCertificate, X509Certificate2? clientLeaf, byte[] fingerprint)
    {
        ClientCertificate = clientCertificate;
        ClientLeaf = clientLeaf;
        _fingerprint = fingerprint;
        if (trustedRoots is not null)
        {
            var policy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                // A private CA rarely publishes CRLs or OCSP, and a fetch would block the handshake.
                RevocationMode = X509RevocationMode.NoCheck,
            };
            policy.CustomTrustStore.AddRange(trustedRoots);
            // A client certificate issued by the same CA must not pass as a server.
            policy.ApplicationPolicy.Add(new Oid(ServerAuthOid));
            ChainPolicy = policy;
        }
    }

    public static UpstreamTlsMaterial Empty { get; } = new(null, null, null, []);

    /// <summary>Null: the system trust store (useSystemTrust).</summary>
    public X509ChainPolicy? ChainPolicy { get; }

    public SslStreamCertificateContext? ClientCertificate { get; }

    /// <summary>The client certificate itself, for /config (subject, expiry).</summary>
    public X509Certificate2? ClientLeaf { get; }

    public bool Equals(UpstreamTlsMaterial? other) =>
        other is not null && _fingerprint.AsSpan().SequenceEqual(other._fingerprint);

    public override bool Equals(object? obj) => Equals(obj as UpstreamTlsMaterial);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(_fingerprint);
        return hash.ToHashCode();
    }
}
