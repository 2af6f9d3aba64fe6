using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EdgeServer.Tls.Pki;

/// <summary>
/// Issues the development PKI's certificates with <see cref="CertificateRequest"/>: ECDSA P-256 keys (fast to make,
/// and what curl and OpenSSL accept without options), SHA-256 signatures, random positive 16-byte serials.
/// </summary>
internal static class DevCertificateIssuer
{
    public static X509Certificate2 CreateRoot(string commonName, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = CaRequest(commonName, key, pathLength: null);
        var generator = X509SignatureGenerator.CreateForECDsa(key);
        using var certificate = request.Create(request.SubjectName, generator, notBefore, notAfter, NewSerial());
        return certificate.CopyWithPrivateKey(key);
    }

    public static X509Certificate2 CreateIntermediate(string commonName, X509Certificate2 issuer, int pathLength, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = CaRequest(commonName, key, pathLength);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        using var certificate = request.Create(issuer, notBefore, notAfter, NewSerial());
        return certificate.CopyWithPrivateKey(key);
    }

    /// <summary>An end-entity certificate; its key is returned with it so it can be written next to it.</summary>
    public static X509Certificate2 CreateLeaf(
        X500DistinguishedName subject,
        SubjectAlternativeNameBuilder subjectAlternativeNames,
        string extendedKeyUsageOid,
        X509Certificate2 issuer,
        DateTimeOffset notBefore,
        DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        // ECDSA keys only sign in TLS (ECDHE does the key exchange), so digitalSignature is the whole key usage.
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(extendedKeyUsageOid)], critical: false));
        request.CertificateExtensions.Add(subjectAlternativeNames.Build(critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        using var certificate = request.Create(issuer, notBefore, notAfter, NewSerial());
        return certificate.CopyWithPrivateKey(key);
    }

    public static X500DistinguishedName Name(string commonName)
    {
        // The builder encodes the last added RDN first; the usual DER order is O then CN, which .NET and RFC 4514
        // print as "CN=alice, O=EdgeServer Dev".
        var name = new X500DistinguishedNameBuilder();
        name.AddCommonName(commonName);
        name.AddOrganizationName("EdgeServer Dev");
        return name.Build();
    }

    private static CertificateRequest CaRequest(string commonName, ECDsa key, int? pathLength)
    {
        var request = new CertificateRequest(Name(commonName), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(
            certificateAuthority: true, hasPathLengthConstraint: pathLength.HasValue, pathLengthConstraint: pathLength ?? 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        return request;
    }

    private static byte[] NewSerial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        // Positive (top bit clear) and a non-zero first byte, so the serial is always exactly 16 bytes in DER.
        serial[0] = (byte)((serial[0] & 0x7F) | 0x01);
        return serial;
    }
}
