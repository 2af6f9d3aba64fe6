using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using EdgeServer.Tls.Pki;

namespace EdgeServer.Tests.Tls;

/// <summary>CRLs made by the BCL's CertificateRevocationListBuilder, read back by our parser.</summary>
public sealed class CrlFromBuilderTests
{
    private static readonly DateTimeOffset Now = TestPki.Now;

    [Theory]
    [InlineData("nistP256", "SHA256")]
    [InlineData("nistP384", "SHA384")]
    [InlineData("nistP521", "SHA512")]
    public void Ecdsa_crl_with_entries_reads_back_and_verifies(string curve, string hash)
    {
        using var ca = TestPki.EcdsaCa("CN=Test ECDSA CA, O=Edge Tests", ECCurve.CreateFromFriendlyName(curve));
        // 0x80... needs a leading zero byte in DER; 0x01... does not. Both must be found.
        using var highBit = TestPki.Leaf(ca, 0x80, 0x01, 0x02, 0x03);
        using var plain = TestPki.Leaf(ca, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08);
        using var notRevoked = TestPki.Leaf(ca, 0x42);

        var builder = new CertificateRevocationListBuilder();
        builder.AddEntry(highBit, Now.AddHours(-2), X509RevocationReason.KeyCompromise);
        builder.AddEntry(plain, Now.AddHours(-1));
        var der = builder.Build(ca, new BigInteger(42), Now.AddDays(7), new HashAlgorithmName(hash), thisUpdate: Now);

        var crl = CertificateRevocationList.Parse(der, "test.crl");

        Assert.Equal(ca.SubjectName.RawData, crl.Issuer.RawData);
        Assert.Equal(Now, crl.ThisUpdate);
        Assert.Equal(Now.AddDays(7), crl.NextUpdate);
        Assert.Equal(new BigInteger(42), crl.CrlNumber);
        Assert.Equal(SubjectKeyIdentifier(ca), crl.AuthorityKeyIdentifier);
        Assert.Equal(2, crl.Count);
        Assert.True(crl.IsRevoked(highBit));
        Assert.True(crl.IsRevoked(plain));
        Assert.False(crl.IsRevoked(notRevoked));
        Assert.True(crl.IsSignedBy(ca));
    }

    [Theory]
    [InlineData("SHA256", false)]
    [InlineData("SHA384", false)]
    [InlineData("SHA512", false)]
    [InlineData("SHA256", true)]
    [InlineData("SHA512", true)]
    public void Rsa_crl_reads_back_and_verifies(string hash, bool pss)
    {
        using var ca = TestPki.RsaCa("CN=Test RSA CA");
        using var revoked = TestPki.Leaf(ca, 0x7F, 0xFF);
        using var notRevoked = TestPki.Leaf(ca, 0x01);
        var builder = new CertificateRevocationListBuilder();
        builder.AddEntry(revoked, Now);
        var der = builder.Build(ca, BigInteger.One, Now.AddDays(1), new HashAlgorithmName(hash), pss ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1, Now);

        var crl = CertificateRevocationList.Parse(der, "rsa.crl");

        Assert.Equal(1, crl.Count);
        Assert.Equal(BigInteger.One, crl.CrlNumber);
        Assert.True(crl.IsRevoked(revoked));
        Assert.False(crl.IsRevoked(notRevoked));
        Assert.True(crl.IsSignedBy(ca));
    }

    [Fact]
    public void Another_ca_does_not_verify_even_with_the_same_name()
    {
        using var ca = TestPki.EcdsaCa("CN=Same Name", ECCurve.NamedCurves.nistP256);
        using var impostor = TestPki.EcdsaCa("CN=Same Name", ECCurve.NamedCurves.nistP256);
        using var otherName = TestPki.EcdsaCa("CN=Other Name", ECCurve.NamedCurves.nistP256);
        using var rsa = TestPki.RsaCa("CN=Same Name");
        var crl = CertificateRevocationList.Parse(
            new CertificateRevocationListBuilder().Build(ca, 1, Now.AddDays(1), HashAlgorithmName.SHA256, thisUpdate: Now), "x");

        Assert.True(crl.IsSignedBy(ca));
        Assert.False(crl.IsSignedBy(impostor));
        Assert.False(crl.IsSignedBy(otherName));
        Assert.False(crl.IsSignedBy(rsa));
    }

    [Fact]
    public void The_right_key_under_another_name_does_not_verify()
    {
        using var ca = TestPki.EcdsaCa("CN=Real Name", ECCurve.NamedCurves.nistP256);
        using var key = ca.GetECDsaPrivateKey()!;
        var renamed = new CertificateRequest("CN=Other Name", key, HashAlgorithmName.SHA256);
        renamed.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.CrlSign, true));
        using var sameKeyOtherName = renamed.CreateSelfSigned(Now.AddDays(-1), Now.AddDays(1));
        var crl = CertificateRevocationList.Parse(
            new CertificateRevocationListBuilder().Build(ca, 1, Now.AddDays(1), HashAlgorithmName.SHA256, thisUpdate: Now), "x");

        Assert.False(crl.IsSignedBy(sameKeyOtherName));
    }

    [Fact]
    public void An_issuer_whose_key_usage_lacks_crl_sign_does_not_verify()
    {
        using var ca = TestPki.EcdsaCa("CN=No CRL Sign", ECCurve.NamedCurves.nistP256, X509KeyUsageFlags.KeyCertSign);
        using var key = ca.GetECDsaPrivateKey()!;
        // The builder refuses such an issuer, so sign through its lower-level overload with the same name and key.
        var der = new CertificateRevocationListBuilder().Build(
            ca.SubjectName, X509SignatureGenerator.CreateForECDsa(key), 1, Now.AddDays(1), HashAlgorithmName.SHA256,
            X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false), Now);

        var crl = CertificateRevocationList.Parse(der, "x");

        Assert.False(crl.IsSignedBy(ca));
    }

    [Fact]
    public void A_changed_byte_in_the_signed_part_breaks_the_signature()
    {
        using var ca = TestPki.EcdsaCa("CN=Tamper CA", ECCurve.NamedCurves.nistP256);
        using var revoked = TestPki.Leaf(ca, 0x11, 0x22, 0x33, 0x44, 0x55);
        var builder = new CertificateRevocationListBuilder();
        builder.AddEntry(revoked, Now);
        var der = builder.Build(ca, 7, Now.AddDays(1), HashAlgorithmName.SHA256, thisUpdate: Now);
        Assert.True(CertificateRevocationList.Parse(der, "x").IsSignedBy(ca));

        // Un-revoke the certificate by changing one byte of its serial: still a well-formed CRL, no longer a valid one.
        var at = der.AsSpan().IndexOf((ReadOnlySpan<byte>)[0x11, 0x22, 0x33, 0x44, 0x55]);
        Assert.True(at > 0);
        der[at + 4] ^= 0x01;
        var tampered = CertificateRevocationList.Parse(der, "x");

        Assert.False(tampered.IsRevoked(revoked));
        Assert.False(tampered.IsSignedBy(ca));
    }

    [Fact]
    public void Pem_and_der_files_read_the_same()
    {
        using var ca = TestPki.EcdsaCa("CN=File CA", ECCurve.NamedCurves.nistP256);
        using var revoked = TestPki.Leaf(ca, 0x05);
        var builder = new CertificateRevocationListBuilder();
        builder.AddEntry(revoked, Now);
        var der = builder.Build(ca, 3, Now.AddDays(1), HashAlgorithmName.SHA256, thisUpdate: Now);
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("ca.der"), der);
        // Other PEM blocks around the CRL are skipped, as in a bundle.
        File.WriteAllText(dir.File("ca.pem"), ca.ExportCertificatePem() + "\n" + PemEncoding.WriteString("X509 CRL", der) + "\n");

        foreach (var file in new[] { dir.File("ca.der"), dir.File("ca.pem") })
        {
            var crl = CertificateRevocationList.Load(file);
            Assert.Equal(new BigInteger(3), crl.CrlNumber);
            Assert.Equal(1, crl.Count);
            Assert.True(crl.IsRevoked(revoked));
            Assert.True(crl.IsSignedBy(ca));
        }
    }

    [Fact]
    public void A_crl_without_entries_reads_and_staleness_follows_next_update()
    {
        using var ca = TestPki.EcdsaCa("CN=Stale CA", ECCurve.NamedCurves.nistP256);
        using var leaf = TestPki.Leaf(ca, 0x01);
        var crl = CertificateRevocationList.Parse(
            new CertificateRevocationListBuilder().Build(ca, 1, Now.AddDays(1), HashAlgorithmName.SHA256, thisUpdate: Now), "x");

        Assert.Equal(0, crl.Count);
        Assert.False(crl.IsRevoked(leaf));
        Assert.True(crl.IsSignedBy(ca));

        Assert.False(crl.IsStale(Now));
        Assert.False(crl.IsStale(Now.AddDays(1)));
        Assert.True(crl.IsStale(Now.AddDays(1).AddSeconds(1)));
    }

    [Fact]
    public void IsRevoked_does_not_allocate()
    {
        using var ca = TestPki.EcdsaCa("CN=Alloc CA", ECCurve.NamedCurves.nistP256);
        using var revoked = TestPki.Leaf(ca, 0x80, 0x01);
        using var other = TestPki.Leaf(ca, 0x02);
        var builder = new CertificateRevocationListBuilder();
        builder.AddEntry(revoked, Now);
        var crl = CertificateRevocationList.Parse(builder.Build(ca, 1, Now.AddDays(1), HashAlgorithmName.SHA256, thisUpdate: Now), "x");
        Assert.True(crl.IsRevoked(revoked));
        Assert.False(crl.IsRevoked(other));

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            crl.IsRevoked(revoked);
            crl.IsRevoked(other);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static byte[] SubjectKeyIdentifier(X509Certificate2 certificate)
    {
        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509SubjectKeyIdentifierExtension ski) return ski.SubjectKeyIdentifierBytes.ToArray();
        }
        throw new InvalidOperationException("no SKI");
    }
}
