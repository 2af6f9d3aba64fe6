using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EdgeServer.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A throwaway PKI for TLS tests, made in code in a temp directory: a CA, a server certificate for
/// <see cref="ServerName"/> and 127.0.0.1, a client certificate (PEM and .pfx), and a second, unrelated
/// CA. ECDSA P-256, so making one takes milliseconds. Deliberately minimal; the product's dev PKI
/// generator (src/EdgeServer/Tls/Pki) can replace it. Also compiled into EdgeServer.Tests.
/// </summary>
internal sealed class TestPki : IDisposable
{
    public const string ServerName = "backend.test";
    public const string ClientSubject = "CN=edge-client, O=EdgeServer tests";
    public const string PfxPassword = "test-pfx-password";

    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    private TestPki(string directory)
    {
        Directory = directory;
        Ca = CreateCa("CN=EdgeServer test CA");
        OtherCa = CreateCa("CN=Some other CA");
        Server = Issue(Ca, "CN=" + ServerName, ServerAuth, [ServerName], [IPAddress.Loopback]);
        Client = Issue(Ca, ClientSubject, ClientAuth, [], []);
        // Each PEM file ends with a newline, as openssl writes them (so files can be concatenated).
        File.WriteAllText(CaBundlePath, Ca.ExportCertificatePem() + "\n");
        File.WriteAllText(OtherCaBundlePath, OtherCa.ExportCertificatePem() + "\n");
        File.WriteAllText(ClientCertificatePath, Client.ExportCertificatePem() + "\n" + Ca.ExportCertificatePem() + "\n");
        File.WriteAllText(ClientKeyPath, Client.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem() + "\n");
        File.WriteAllBytes(ClientPfxPath, Client.Export(X509ContentType.Pkcs12, PfxPassword));
    }

    public string Directory { get; }
    public X509Certificate2 Ca { get; }
    public X509Certificate2 OtherCa { get; }
    /// <summary>With its key: for a Kestrel backend.</summary>
    public X509Certificate2 Server { get; }
    public X509Certificate2 Client { get; }

    public string CaBundlePath => Path.Combine(Directory, "ca.crt");
    public string OtherCaBundlePath => Path.Combine(Directory, "other-ca.crt");
    /// <summary>Leaf then the CA, as operators usually ship a chain.</summary>
    public string ClientCertificatePath => Path.Combine(Directory, "client.crt");
    public string ClientKeyPath => Path.Combine(Directory, "client.key");
    public string ClientPfxPath => Path.Combine(Directory, "client.pfx");

    public static TestPki Create()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"edge-pki-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(directory);
        return new TestPki(directory);
    }

    /// <summary>Writes a file into the PKI directory and returns its full path.</summary>
    public string Write(string name, string content)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>True when <paramref name="certificate"/> chains to this PKI's CA (what a backend checks of a client).</summary>
    public bool IssuedByCa(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(ClientAuth);
        return chain.Build(certificate);
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless.
        }
    }

    private static X509Certificate2 CreateCa(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, string subject, Oid usage, string[] dnsNames, IPAddress[] addresses)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        if (dnsNames.Length + addresses.Length > 0)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (var name in dnsNames) san.AddDnsName(name);
            foreach (var address in addresses) san.AddIpAddress(address);
            request.CertificateExtensions.Add(san.Build());
        }
        var now = DateTimeOffset.UtcNow;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var issued = request.Create(ca, now.AddDays(-1), now.AddDays(30), serial);
        return issued.CopyWithPrivateKey(key);
    }
}
