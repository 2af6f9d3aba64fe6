using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EdgeServer.Tests.Tls;

/// <summary>Small CAs and leaves made with the BCL for CRL tests.</summary>
internal static class TestPki
{
    public static readonly DateTimeOffset Now = new(2030, 6, 1, 12, 0, 0, TimeSpan.Zero);

    public static X509Certificate2 RsaCa(string name, int keySize = 2048)
    {
        using var key = RSA.Create(keySize);
        var request = new CertificateRequest(name, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        AddCaExtensions(request, X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign);
        return request.CreateSelfSigned(Now.AddDays(-1), Now.AddYears(1));
    }

    public static X509Certificate2 EcdsaCa(string name, ECCurve curve, X509KeyUsageFlags usage = X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign)
    {
        using var key = ECDsa.Create(curve);
        var request = new CertificateRequest(name, key, HashAlgorithmName.SHA256);
        AddCaExtensions(request, usage);
        return request.CreateSelfSigned(Now.AddDays(-1), Now.AddYears(1));
    }

    /// <summary>A leaf with exactly the given serial (big-endian, as the BCL takes it).</summary>
    public static X509Certificate2 Leaf(X509Certificate2 issuer, params byte[] serial)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=leaf", key, HashAlgorithmName.SHA256);
        using var rsa = issuer.GetRSAPrivateKey();
        // The BCL signs with the issuer certificate directly only when both keys are of one kind.
        return rsa is null
            ? request.Create(issuer, Now.AddDays(-1), Now.AddDays(30), serial)
            : request.Create(issuer.SubjectName, X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1), Now.AddDays(-1), Now.AddDays(30), serial);
    }

    private static void AddCaExtensions(CertificateRequest request, X509KeyUsageFlags usage)
    {
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(usage, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
    }
}
