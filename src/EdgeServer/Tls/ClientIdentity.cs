using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace EdgeServer.Tls;

/// <summary>
/// The verified client certificate of a TLS connection, in the forms later stages need: route
/// requirements, identity headers to backends, and (later) WAF fields and rate-limit keys. Built on the first
/// handshake a validator accepts with the certificate (<see cref="AcceptedIdentities"/>), then shared by every
/// connection that presents it and every request on them: it is immutable.
/// </summary>
internal sealed class ClientIdentity : Policy.Waf.Evaluation.IWafClientCertificate
{
    public ClientIdentity(X509Certificate2 certificate, X509Certificate2[] issuers)
    {
        Certificate = certificate;
        Issuers = issuers;
        Subject = certificate.SubjectName.Name;
        Issuer = certificate.IssuerName.Name;
        SubjectKey = DistinguishedNames.Canonical(certificate.SubjectName);
        IssuerKey = DistinguishedNames.Canonical(certificate.IssuerName);
        SerialNumber = certificate.SerialNumber;
        Sha256 = Convert.ToHexStringLower(certificate.GetCertHash(HashAlgorithmName.SHA256));
        (DnsNames, Uris) = Tls.SubjectAlternativeNames.Read(certificate);
        SubjectUtf8 = HeaderValue(Subject);
        IssuerUtf8 = HeaderValue(Issuer);
        SerialUtf8 = Encoding.ASCII.GetBytes(SerialNumber);
        Sha256Utf8 = Encoding.ASCII.GetBytes(Sha256);
        SubjectAlternativeNames = string.Join(", ", DnsNames.Select(d => "DNS:" + d).Concat(Uris.Select(u => "URI:" + u)));
        SansUtf8 = HeaderValue(SubjectAlternativeNames);
        XfccUtf8 = HeaderValue(ForwardedClientCert.Format(this));
    }

    public X509Certificate2 Certificate { get; }
    /// <summary>The CA certificates the chain was built through (nearest first), kept to re-check the chain when trust changes.</summary>
    public X509Certificate2[] Issuers { get; }
    /// <summary>RFC 4514-style, as .NET renders it: "CN=alice, O=Example".</summary>
    public string Subject { get; }
    public string Issuer { get; }
    /// <summary>Subject and issuer in <see cref="DistinguishedNames"/>' comparable form, for route requirements.</summary>
    public string SubjectKey { get; }
    public string IssuerKey { get; }
    /// <summary>Upper-case hex, big-endian, as printed by openssl.</summary>
    public string SerialNumber { get; }
    /// <summary>Lower-case hex SHA-256 of the DER certificate: what fingerprint pins and XFCC's Hash use.</summary>
    public string Sha256 { get; }
    public string[] DnsNames { get; }
    public string[] Uris { get; }
    /// <summary>"DNS:a, URI:b", as the SAN identity header carries them.</summary>
    public string SubjectAlternativeNames { get; }

    // Header values are encoded once here so each forwarded request only copies bytes.
    public byte[] SubjectUtf8 { get; }
    public byte[] IssuerUtf8 { get; }
    public byte[] SerialUtf8 { get; }
    public byte[] Sha256Utf8 { get; }
    public byte[] SansUtf8 { get; }
    public byte[] XfccUtf8 { get; }

    /// <summary>
    /// Field values must be printable ASCII to be read the same by every backend; other bytes of the UTF-8
    /// form (and '%' itself) are percent-encoded, so a subject with non-ASCII names survives unambiguously.
    /// </summary>
    internal static byte[] HeaderValue(string text)
    {
        var utf8 = Encoding.UTF8.GetBytes(text);
        var output = new List<byte>(utf8.Length);
        foreach (var b in utf8)
        {
            if (b is >= 0x20 and < 0x7F && b != (byte)'%')
            {
                output.Add(b);
                continue;
            }
            output.Add((byte)'%');
            output.Add((byte)"0123456789ABCDEF"[b >> 4]);
            output.Add((byte)"0123456789ABCDEF"[b & 0xF]);
        }
        return [.. output];
    }
}
