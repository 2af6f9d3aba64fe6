using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EdgeServer.Tls.Pki;

/// <summary>
/// The development PKI behind `edge certs dev` and the TLS tests: a dev root with a server certificate, good and
/// deliberately bad client certificates, a two-level intermediate chain and a CRL. certs/README.md describes each file.
/// </summary>
public static class DevCertificates
{
    public const string DefaultDirectory = "certs/dev";

    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuth = "1.3.6.1.5.5.7.3.2";

    /// <summary>True when <paramref name="outDir"/> holds every file of a set.</summary>
    public static bool Exists(string outDir) => new DevCertificateSet(outDir).IsComplete;

    /// <summary>Writes a fresh set into <paramref name="outDir"/> (created if missing), replacing any files of a previous set.</summary>
    public static DevCertificateSet Generate(string outDir, DateTimeOffset now)
    {
        // Whole seconds: certificates store no fractions, and a child whose notAfter is a fraction past the
        // issuer's (as read back from the issuer certificate) is refused by CertificateRequest.
        now = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        var leafFrom = now.AddHours(-1);
        var leafUntil = now.AddDays(365);
        // The CAs start before the expired client does, so expiry is the only thing wrong with that client.
        var caFrom = now.AddDays(-60);
        var caUntil = now.AddDays(3650);

        using var ca = DevCertificateIssuer.CreateRoot("EdgeServer Dev CA", caFrom, caUntil);
        using var otherCa = DevCertificateIssuer.CreateRoot("EdgeServer Dev Other CA", caFrom, caUntil);
        using var intermediate1 = DevCertificateIssuer.CreateIntermediate("EdgeServer Dev Intermediate 1", ca, pathLength: 1, caFrom, caUntil);
        using var intermediate2 = DevCertificateIssuer.CreateIntermediate("EdgeServer Dev Intermediate 2", intermediate1, pathLength: 0, caFrom, caUntil);

        var serverNames = new SubjectAlternativeNameBuilder();
        serverNames.AddDnsName("localhost");
        serverNames.AddIpAddress(System.Net.IPAddress.Loopback);
        serverNames.AddIpAddress(System.Net.IPAddress.IPv6Loopback);
        using var server = DevCertificateIssuer.CreateLeaf(DevCertificateIssuer.Name("localhost"), serverNames, ServerAuth, ca, leafFrom, leafUntil);

        using var alice = Client("alice", ClientAuth, ca, leafFrom, leafUntil);
        using var bob = Client("bob", ClientAuth, ca, leafFrom, leafUntil);
        using var revoked = Client("revoked", ClientAuth, ca, leafFrom, leafUntil);
        using var expired = Client("expired", ClientAuth, ca, now.AddDays(-30), now.AddDays(-1));
        using var foreign = Client("other-ca", ClientAuth, otherCa, leafFrom, leafUntil);
        using var wrongEku = Client("wrong-eku", ServerAuth, ca, leafFrom, leafUntil);
        using var deep = Client("deep", ClientAuth, intermediate2, leafFrom, leafUntil);

        var crl = new CertificateRevocationListBuilder();
        crl.AddEntry(revoked, now, X509RevocationReason.KeyCompromise);
        var crlDer = crl.Build(ca, BigInteger.One, now.AddDays(30), HashAlgorithmName.SHA256, thisUpdate: now);

        // Everything is made before anything is written, so a failure cannot leave half a new set behind.
        Directory.CreateDirectory(outDir);
        var set = new DevCertificateSet(outDir);
        Write(set.Ca, ca);
        Write(set.OtherCa, otherCa);
        Write(set.Server, server);
        Write(set.ClientAlice, alice);
        Write(set.ClientBob, bob);
        Write(set.ClientRevoked, revoked);
        Write(set.ClientExpired, expired);
        Write(set.ClientOtherCa, foreign);
        Write(set.ClientWrongEku, wrongEku);
        Write(set.ClientDeep, deep, intermediate2, intermediate1);
        PemFiles.WriteCertificates(set.Intermediate1, intermediate1);
        PemFiles.WriteCertificates(set.Intermediate2, intermediate2);
        PemFiles.WriteCrl(set.Crl, crlDer);
        return set;
    }

    private static X509Certificate2 Client(string name, string extendedKeyUsage, X509Certificate2 issuer, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var names = new SubjectAlternativeNameBuilder();
        names.AddUri(new Uri($"spiffe://edge.dev/{name}"));
        names.AddDnsName($"{name}.clients.edge.dev");
        return DevCertificateIssuer.CreateLeaf(DevCertificateIssuer.Name(name), names, extendedKeyUsage, issuer, notBefore, notAfter);
    }

    private static void Write(DevCertificateFiles files, X509Certificate2 certificate, params ReadOnlySpan<X509Certificate2> chain)
    {
        PemFiles.WriteCertificates(files.Certificate, [certificate, .. chain]);
        using var key = certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException($"{files.Certificate}: the certificate has no ECDSA private key");
        PemFiles.WritePrivateKey(files.Key, key);
    }
}
