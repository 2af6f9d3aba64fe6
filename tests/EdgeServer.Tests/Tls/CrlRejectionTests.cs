using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using EdgeServer.Tls.Pki;

namespace EdgeServer.Tests.Tls;

/// <summary>What the CRL parser refuses, and that damaged input only ever ends in CrlFormatException.</summary>
public sealed class CrlRejectionTests : IDisposable
{
    private static readonly DateTimeOffset Now = TestPki.Now;
    private static readonly byte[] Null = [0x05, 0x00];

    private readonly X509Certificate2 _ca = TestPki.EcdsaCa("CN=Forge CA", ECCurve.NamedCurves.nistP256);

    public void Dispose() => _ca.Dispose();

    [Fact]
    public void A_v1_crl_with_generalized_times_and_no_next_update_reads()
    {
        var forge = new CrlForge { Version = null, GeneralizedTimes = true, WithNextUpdate = false };
        forge.Entries.Add(([0x09], []));
        using var leaf = TestPki.Leaf(_ca, 0x09);

        var crl = CertificateRevocationList.Parse(forge.Sign(_ca, Now), "v1.crl");

        Assert.Equal(Now, crl.ThisUpdate);
        Assert.Null(crl.NextUpdate);
        Assert.Null(crl.CrlNumber);
        Assert.Null(crl.AuthorityKeyIdentifier);
        Assert.False(crl.IsStale(Now.AddYears(10)));
        Assert.True(crl.IsRevoked(leaf));
        Assert.True(crl.IsSignedBy(_ca));
    }

    [Fact]
    public void Unknown_non_critical_extensions_are_ignored()
    {
        var forge = new CrlForge();
        forge.Extensions.Add(("1.3.6.1.4.1.99999.1", false, Null));
        forge.Entries.Add(([0x01], [("2.5.29.21", false, [0x0A, 0x01, 0x01]), ("1.3.6.1.4.1.99999.2", false, Null)]));

        Assert.Equal(1, CertificateRevocationList.Parse(forge.Sign(_ca, Now), "x").Count);
    }

    [Fact]
    public void An_unsupported_signature_algorithm_parses_but_never_verifies()
    {
        const string EcdsaSha1 = "1.2.840.10045.4.1";
        var forge = new CrlForge { TbsAlgorithm = EcdsaSha1, OuterAlgorithm = EcdsaSha1 };

        var crl = CertificateRevocationList.Parse(forge.Sign(_ca, Now), "sha1.crl");

        Assert.False(crl.IsSignedBy(_ca));
    }

    [Theory]
    [InlineData("unknown critical extension", "unsupported critical extension 1.3.6.1.4.1.99999.1")]
    [InlineData("delta CRL", "delta CRLs")]
    [InlineData("critical issuing distribution point", "issuing distribution point")]
    [InlineData("duplicate extension", "appears twice")]
    [InlineData("indirect CRL entry", "indirect CRLs")]
    [InlineData("unknown critical entry extension", "revokedCertificates[0]")]
    [InlineData("version 3", "version")]
    public void Crls_that_cannot_be_used_as_complete_are_refused_with_the_reason(string shape, string message)
    {
        var forge = Shape(shape);

        var error = Assert.Throws<CrlFormatException>(() => CertificateRevocationList.Parse(forge.Sign(_ca, Now), "forged.crl"));

        Assert.StartsWith("forged.crl: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Different_inner_and_outer_algorithms_are_refused()
    {
        var forge = new CrlForge { OuterAlgorithm = "1.2.840.10045.4.3.3" };

        var error = Assert.Throws<CrlFormatException>(() => CertificateRevocationList.Parse(forge.Sign(_ca, Now), "x.crl"));
        Assert.Contains("tbsCertList.signature", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_truncation_of_a_real_crl_is_a_format_error()
    {
        var der = RealCrl();
        for (var length = 0; length < der.Length; length++)
        {
            var error = Assert.Throws<CrlFormatException>(() => CertificateRevocationList.Parse(der.AsSpan(0, length), "cut.crl"));
            Assert.StartsWith("cut.crl: ", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Trailing_bytes_after_the_crl_are_a_format_error()
    {
        byte[] der = [.. RealCrl(), 0x00];
        var error = Assert.Throws<CrlFormatException>(() => CertificateRevocationList.Parse(der, "tail.crl"));
        Assert.Contains("after the end", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Any_single_damaged_byte_either_parses_or_is_a_format_error()
    {
        var der = RealCrl();
        for (var i = 0; i < der.Length; i++)
        {
            foreach (var flip in new byte[] { 0x01, 0x80, 0xFF })
            {
                var damaged = (byte[])der.Clone();
                damaged[i] ^= flip;
                try
                {
                    var crl = CertificateRevocationList.Parse(damaged, "damaged.crl");
                    _ = crl.IsSignedBy(_ca);   // must not throw either
                }
                catch (CrlFormatException)
                {
                }
            }
        }
    }

    [Fact]
    public void Random_garbage_is_a_format_error()
    {
        var random = new Random(3);
        for (var i = 0; i < 2000; i++)
        {
            var garbage = new byte[random.Next(1, 300)];
            random.NextBytes(garbage);
            if (i % 2 == 0) garbage[0] = 0x30;   // half of them look like a DER SEQUENCE
            Assert.Throws<CrlFormatException>(() => CertificateRevocationList.Parse(garbage, "garbage"));
        }
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("hello, world", "neither PEM")]
    [InlineData("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "found CERTIFICATE")]
    [InlineData("-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n", "malformed CRL")]
    public void Text_that_is_not_a_crl_says_what_is_wrong(string text, string message)
    {
        var error = Assert.Throws<CrlFormatException>(() => CertificateRevocationList.Parse(System.Text.Encoding.ASCII.GetBytes(text), "text.crl"));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_a_format_error_naming_the_path()
    {
        var path = Path.Combine(Path.GetTempPath(), $"edge-missing-{Guid.NewGuid():N}.crl");
        var error = Assert.Throws<CrlFormatException>(() => CertificateRevocationList.Load(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    private static CrlForge Shape(string shape)
    {
        var forge = shape == "version 3" ? new CrlForge { Version = 2 } : new CrlForge();
        switch (shape)
        {
            case "unknown critical extension": forge.Extensions.Add(("1.3.6.1.4.1.99999.1", true, Null)); break;
            case "delta CRL": forge.Extensions.Add(("2.5.29.27", true, CrlForge.Integer(1))); break;
            case "critical issuing distribution point": forge.Extensions.Add(("2.5.29.28", true, [0x30, 0x00])); break;
            case "duplicate extension": forge.Extensions.AddRange([("2.5.29.20", false, CrlForge.Integer(1)), ("2.5.29.20", false, CrlForge.Integer(2))]); break;
            case "indirect CRL entry": forge.Entries.Add(([0x01], [("2.5.29.29", true, [0x30, 0x00])])); break;
            case "unknown critical entry extension": forge.Entries.Add(([0x01], [("1.3.6.1.4.1.99999.3", true, Null)])); break;
        }
        return forge;
    }

    private byte[] RealCrl()
    {
        using var revoked = TestPki.Leaf(_ca, 0x81, 0x02);
        var builder = new CertificateRevocationListBuilder();
        builder.AddEntry(revoked, Now, X509RevocationReason.Superseded);
        return builder.Build(_ca, 5, Now.AddDays(1), HashAlgorithmName.SHA256, thisUpdate: Now);
    }
}
