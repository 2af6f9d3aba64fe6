using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using EdgeServer.Config.Model;
using EdgeServer.Tls.Pki;

namespace EdgeServer.Tls;

/// <summary>
/// Decides whether a client certificate is acceptable: its chain must lead to a configured CA (custom root
/// trust; the system roots only when asked), every certificate must be in its validity period and allow
/// clientAuth, the chain must not be deeper than allowed, and no certificate in it may be on its issuer's CRL.
/// </summary>
/// <remarks>
/// SslStream builds the chain with <see cref="Policy"/> (including the intermediates the client sent) and
/// hands it to <see cref="Check"/>, so a handshake builds one chain. CRLs are ours, not OpenSSL's: X509Chain
/// on Linux cannot be given CRL files, and we need nextUpdate handling and hot reload anyway.
/// </remarks>
internal sealed class ClientCertificateValidator
{
    private static readonly Oid s_clientAuth = new("1.3.6.1.5.5.7.3.2", "Client Authentication");
    private readonly Dictionary<string, CertificateRevocationList> _crlByIssuerSha256;
    private readonly TimeProvider _time;
    private readonly AcceptedIdentities _accepted = new();

    public ClientCertificateValidator(ClientCertificateConfig config, X509Certificate2Collection trusted,
        IReadOnlyDictionary<X509Certificate2, CertificateRevocationList> crls, TimeProvider time)
    {
        Mode = config.Mode;
        MaxChainDepth = config.MaxChainDepth;
        StaleCrl = config.StaleCrl;
        UseSystemTrust = config.UseSystemTrust;
        Trusted = trusted;
        _time = time;
        _crlByIssuerSha256 = crls.ToDictionary(p => Sha256(p.Key), p => p.Value, StringComparer.Ordinal);
        Policy = CreatePolicy(trusted, systemTrust: false);
        if (UseSystemTrust) SystemPolicy = CreatePolicy(trusted, systemTrust: true);
    }

    public ClientCertificateMode Mode { get; }
    public int MaxChainDepth { get; }
    public StaleCrlPolicy StaleCrl { get; }
    public bool UseSystemTrust { get; }
    public X509Certificate2Collection Trusted { get; }
    public X509ChainPolicy Policy { get; }
    private X509ChainPolicy? SystemPolicy { get; }

    /// <summary>CRLs past nextUpdate found while checking (fail-open listeners still log them).</summary>
    public event Action<CertificateRevocationList>? StaleCrlUsed;

    /// <summary>
    /// The handshake-time check. <paramref name="identity"/> is the accepted certificate's identity (it keeps copies
    /// of the chain's CA certificates: the chain SslStream passes is disposed after the callback).
    /// </summary>
    public TlsFailure Check(X509Certificate2? certificate, X509Chain? chain, SslPolicyErrors errors, out ClientIdentity? identity)
    {
        identity = null;
        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
            return Mode == ClientCertificateMode.Require ? TlsFailure.NoCertificate : TlsFailure.None;
        if (chain is null) return TlsFailure.InvalidCertificate;
        var failure = Evaluate(chain, certificate);
        if (failure == TlsFailure.UnknownCa && SystemPolicy is not null)
        {
            using var system = new X509Chain { ChainPolicy = SystemPolicy.Clone() };
            foreach (var element in chain.ChainElements) system.ChainPolicy.ExtraStore.Add(element.Certificate);
            system.Build(certificate);
            failure = Evaluate(system, certificate);
            if (failure == TlsFailure.None) identity = _accepted.Get(certificate, system, CopyIssuers);
            DisposeElements(system);
            return failure;
        }
        if (failure == TlsFailure.None) identity = _accepted.Get(certificate, chain, CopyIssuers);
        return failure;
    }

    /// <summary>Checks an identity accepted earlier against this validator's trust and CRLs (after a reload).</summary>
    public TlsFailure Recheck(ClientIdentity identity)
    {
        foreach (var policy in SystemPolicy is null ? [Policy] : new[] { Policy, SystemPolicy })
        {
            using var chain = new X509Chain { ChainPolicy = policy.Clone() };
            chain.ChainPolicy.ExtraStore.AddRange(identity.Issuers);
            chain.Build(identity.Certificate);
            var failure = Evaluate(chain, identity.Certificate);
            DisposeElements(chain);
            if (failure != TlsFailure.UnknownCa) return failure;
        }
        return TlsFailure.UnknownCa;
    }

    private TlsFailure Evaluate(X509Chain chain, X509Certificate2 leaf)
    {
        var failure = Classify(chain);
        if (failure != TlsFailure.None) return failure;
        if (chain.ChainElements.Count - 1 > MaxChainDepth) return TlsFailure.ChainTooDeep;
        return CheckRevocation(chain, leaf);
    }

    private static TlsFailure Classify(X509Chain chain)
    {
        var flags = X509ChainStatusFlags.NoError;
        foreach (var status in chain.ChainStatus) flags |= status.Status;
        if (flags == X509ChainStatusFlags.NoError) return TlsFailure.None;
        if ((flags & (X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain)) != 0) return TlsFailure.UnknownCa;
        if ((flags & X509ChainStatusFlags.Revoked) != 0) return TlsFailure.Revoked;
        if ((flags & X509ChainStatusFlags.NotTimeValid) != 0)
        {
            var now = DateTime.Now;
            foreach (var element in chain.ChainElements)
            {
                if (element.Certificate.NotBefore > now) return TlsFailure.NotYetValid;
            }
            return TlsFailure.Expired;
        }
        if ((flags & (X509ChainStatusFlags.NotValidForUsage | X509ChainStatusFlags.InvalidPolicyConstraints)) != 0) return TlsFailure.WrongEku;
        return TlsFailure.InvalidCertificate;
    }

    private TlsFailure CheckRevocation(X509Chain chain, X509Certificate2 leaf)
    {
        if (_crlByIssuerSha256.Count == 0) return TlsFailure.None;
        var now = _time.GetUtcNow();
        var elements = chain.ChainElements;
        for (var i = 0; i + 1 < elements.Count; i++)
        {
            var subject = i == 0 ? leaf : elements[i].Certificate;
            if (!_crlByIssuerSha256.TryGetValue(Sha256(elements[i + 1].Certificate), out var crl)) continue;
            if (crl.IsStale(now))
            {
                StaleCrlUsed?.Invoke(crl);
                if (StaleCrl == StaleCrlPolicy.FailClosed) return TlsFailure.CrlStale;
            }
            if (crl.IsRevoked(subject)) return TlsFailure.Revoked;
        }
        return TlsFailure.None;
    }

    private static X509ChainPolicy CreatePolicy(X509Certificate2Collection trusted, bool systemTrust)
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = systemTrust ? X509ChainTrustMode.System : X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
            // Client certificates are checked against our trust only: fetching intermediates named in AIA
            // would let any client make the edge issue HTTP requests during the handshake.
            DisableCertificateDownloads = true,
        };
        policy.ApplicationPolicy.Add(s_clientAuth);
        // Roots anchor the chain; intermediates in a bundle only help build it (clients may leave them out).
        foreach (var ca in trusted)
        {
            if (!systemTrust && IsSelfIssued(ca)) policy.CustomTrustStore.Add(ca);
            else policy.ExtraStore.Add(ca);
        }
        return policy;
    }

    private static X509Certificate2[] CopyIssuers(X509Chain chain)
    {
        var issuers = new X509Certificate2[Math.Max(0, chain.ChainElements.Count - 1)];
        for (var i = 1; i < chain.ChainElements.Count; i++)
            issuers[i - 1] = X509CertificateLoader.LoadCertificate(chain.ChainElements[i].Certificate.RawData);
        return issuers;
    }

    private static void DisposeElements(X509Chain chain)
    {
        foreach (var element in chain.ChainElements) element.Certificate.Dispose();
    }

    private static bool IsSelfIssued(X509Certificate2 certificate) =>
        certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData);

    internal static string Sha256(X509Certificate2 certificate) =>
        Convert.ToHexStringLower(certificate.GetCertHash(HashAlgorithmName.SHA256));
}
