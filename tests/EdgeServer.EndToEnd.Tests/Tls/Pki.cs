using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using EdgeServer.Tls.Pki;

namespace EdgeServer.EndToEnd.Tests.Tls;

/// <summary>
/// A fresh dev PKI (`edge certs dev`'s generator) in a temp directory per test class, plus what tests
/// need beyond it: more server certificates for SNI, and CRLs written on demand to revoke at run time.
/// </summary>
public sealed class Pki : IDisposable
{
    public Pki()
    {
        Directory = Path.Combine(Path.GetTempPath(), $"edge-pki-{Guid.NewGuid():N}");
        DevCertificates.Generate(Directory, DateTimeOffset.UtcNow);
    }

    public string Directory { get; }

    public string File(string name) => Path.Combine(Directory, name);

    public X509Certificate2 Load(string name) => X509CertificateLoader.LoadCertificateFromFile(File(name));

    private X509Certificate2 Ca() => X509Certificate2.CreateFromPemFile(File("ca.crt"), File("ca.key"));

    /// <summary>A server certificate for <paramref name="dnsName"/> issued by the dev CA, written as NAME.crt/.key.</summary>
    public (string Cert, string Key) IssueServer(string name, string dnsName)
    {
        using var ca = Ca();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={dnsName}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(dnsName);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var cert = request.Create(ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(30), serial);
        var (certFile, keyFile) = (File(name + ".crt"), File(name + ".key"));
        System.IO.File.WriteAllText(certFile, cert.ExportCertificatePem());
        System.IO.File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        return (certFile, keyFile);
    }

    /// <summary>A client certificate from the dev CA with the given validity, written as NAME.crt/.key.</summary>
    public void IssueClient(string name, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var ca = Ca();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}, O=EdgeServer Dev", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var cert = request.Create(ca, notBefore, notAfter, serial);
        System.IO.File.WriteAllText(File(name + ".crt"), cert.ExportCertificatePem());
        System.IO.File.WriteAllText(File(name + ".key"), key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>Rewrites ca.crl, signed by the dev CA, revoking exactly <paramref name="revoked"/> (names without .crt).</summary>
    public void WriteCrl(int number, DateTimeOffset nextUpdate, DateTimeOffset? thisUpdate = null, params string[] revoked)
    {
        using var ca = Ca();
        var builder = new CertificateRevocationListBuilder();
        foreach (var name in revoked)
        {
            using var cert = Load(name + ".crt");
            builder.AddEntry(cert, DateTimeOffset.UtcNow.AddMinutes(-1));
        }
        var der = builder.Build(ca, number, nextUpdate, HashAlgorithmName.SHA256, thisUpdate: thisUpdate ?? DateTimeOffset.UtcNow.AddMinutes(-5));
        // Written beside and moved into place, as rotation tools do: the watcher never sees a half-written file.
        var temp = File("ca.crl.tmp");
        System.IO.File.WriteAllText(temp, PemEncoding.WriteString("X509 CRL", der));
        System.IO.File.Move(temp, File("ca.crl"), overwrite: true);
    }

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
