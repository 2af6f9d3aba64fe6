using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace EdgeServer.Upstream.Tls;

/// <summary>
/// Decides on a backend's certificate after SslStream has built its chain with the cluster's policy, and
/// leaves the reason for a rejection on the stream, so a failed handshake reads "remote certificate
/// untrusted (UntrustedRoot)" rather than SslStream's generic message. One per destination; stateless.
/// </summary>
internal sealed class CertificateVerifier(string? expectedIp)
{
    public bool Verify(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        var rejection = Check(certificate, chain, errors);
        if (rejection is null) return true;
        if (sender is VerifiedSslStream stream) stream.Rejection = rejection;
        return false;
    }

    private string? Check(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
            return "the backend sent no certificate";
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors))
            return $"remote certificate untrusted ({ChainStatus(chain)})";
        if (expectedIp is not null)
        {
            // Checked here rather than trusting SslStream's name flag: for an IP target SslStream sends no
            // SNI, and whether it still compares the name differs between versions.
            var leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            return leaf.MatchesHostname(expectedIp, allowWildcards: false, allowCommonName: false)
                ? null
                : $"remote certificate has no IP address SAN {expectedIp} ({leaf.Subject})";
        }
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
            return $"remote certificate name mismatch ({(certificate as X509Certificate2)?.GetNameInfo(X509NameType.DnsName, forIssuer: false) ?? certificate.Subject})";
        return null;
    }

    private static string ChainStatus(X509Chain? chain)
    {
        if (chain is null || chain.ChainStatus.Length == 0) return "chain not built";
        var seen = new List<string>(chain.ChainStatus.Length);
        foreach (var status in chain.ChainStatus)
        {
            var name = Explain(status.Status);
            if (!seen.Contains(name)) seen.Add(name);
        }
        return string.Join(", ", seen);
    }

    /// <summary>X509's status names, with what they usually mean for an operator's CA bundle.</summary>
    private static string Explain(X509ChainStatusFlags status) => status switch
    {
        X509ChainStatusFlags.PartialChain => "PartialChain: no issuer of it is among the trusted CAs",
        X509ChainStatusFlags.UntrustedRoot => "UntrustedRoot: its root is not among the trusted CAs",
        X509ChainStatusFlags.NotTimeValid => "NotTimeValid: expired or not yet valid",
        X509ChainStatusFlags.NotValidForUsage => "NotValidForUsage: not a server authentication certificate",
        _ => status.ToString(),
    };
}
