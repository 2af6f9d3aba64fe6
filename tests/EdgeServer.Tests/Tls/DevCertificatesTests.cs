using System.Numerics;
using System.Security.Cryptography.X509Certificates;
using EdgeServer.Tls.Pki;

namespace EdgeServer.Tests.Tls;

/// <summary>One generated dev set, shared by the tests of this class (generation is the slow part).</summary>
public sealed class DevCertificateFixture : IDisposable
{
    private readonly TempDirectory _dir = new();

    public DevCertificateFixture()
    {
        Now = DateTimeOffset.UtcNow;
        Set = DevCertificates.Generate(_dir.Path, Now);
    }

    public DateTimeOffset Now { get; }

    public DevCertificateSet Set { get; }

    public string Dir => _dir.Path;

    public void Dispose() => _dir.Dispose();
}

/// <summary>The dev PKI as the real openssl binary and the BCL see it.</summary>
public sealed class DevCertificatesTests(DevCertificateFixture fixture) : IClassFixture<DevCertificateFixture>
{
    private DevCertificateSet Set => fixture.Set;

    [Fact]
    public void Every_file_is_written_and_keys_are_owner_only()
    {
        Assert.True(DevCertificates.Exists(fixture.Dir));
        Assert.Equal(23, Set.Files.Count);
        foreach (var file in Set.Files)
        {
            Assert.True(File.Exists(file), file);
            if (file.EndsWith(".key", StringComparison.Ordinal))
            {
                Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(file), StringComparison.Ordinal);
                if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            }
        }
    }

    [Fact]
    public void A_set_missing_a_file_does_not_exist()
    {
        using var dir = new TempDirectory();
        foreach (var file in Set.Files) File.Copy(file, Path.Combine(dir.Path, Path.GetFileName(file)));
        Assert.True(DevCertificates.Exists(dir.Path));
        File.Delete(Path.Combine(dir.Path, "ca.crl"));
        Assert.False(DevCertificates.Exists(dir.Path));
    }

    [Fact]
    public void Openssl_accepts_the_valid_clients_and_the_server()
    {
        Openssl.Ok(fixture.Dir, "verify", "-CAfile", Set.Ca.Certificate, "-purpose", "sslclient", Set.ClientAlice.Certificate, Set.ClientBob.Certificate);
        Openssl.Ok(fixture.Dir, "verify", "-CAfile", Set.Ca.Certificate, "-purpose", "sslserver", Set.Server.Certificate);
        Openssl.Ok(fixture.Dir, "verify", "-crl_check", "-CAfile", Set.Ca.Certificate, "-CRLfile", Set.Crl, Set.ClientAlice.Certificate);
    }

    [Fact]
    public void Openssl_refuses_the_bad_clients_for_the_intended_reason()
    {
        AssertRefused(["-CAfile", Set.Ca.Certificate, Set.ClientOtherCa.Certificate], "unable to get local issuer certificate");
        AssertRefused(["-CAfile", Set.Ca.Certificate, Set.ClientExpired.Certificate], "certificate has expired");
        AssertRefused(["-crl_check", "-CAfile", Set.Ca.Certificate, "-CRLfile", Set.Crl, Set.ClientRevoked.Certificate], "certificate revoked");
        AssertRefused(["-CAfile", Set.Ca.Certificate, "-purpose", "sslclient", Set.ClientWrongEku.Certificate], "unsuitable certificate purpose");
        // Each bad client is fine apart from its one flaw.
        Openssl.Ok(fixture.Dir, "verify", "-CAfile", Set.OtherCa.Certificate, "-purpose", "sslclient", Set.ClientOtherCa.Certificate);
        Openssl.Ok(fixture.Dir, "verify", "-CAfile", Set.Ca.Certificate, "-purpose", "sslclient", Set.ClientRevoked.Certificate);
    }

    [Fact]
    public void The_deep_client_verifies_through_its_intermediates_and_carries_them()
    {
        Openssl.Ok(fixture.Dir, "verify", "-CAfile", Set.Ca.Certificate, "-untrusted", Set.Intermediate2, "-untrusted", Set.Intermediate1, "-purpose", "sslclient", Set.ClientDeep.Certificate);
        // The .crt file is the chain a client sends: leaf first, then its issuers.
        Openssl.Ok(fixture.Dir, "verify", "-CAfile", Set.Ca.Certificate, "-untrusted", Set.ClientDeep.Certificate, Set.ClientDeep.Certificate);
        AssertRefused(["-CAfile", Set.Ca.Certificate, Set.ClientDeep.Certificate], "unable to get local issuer certificate");

        var chain = new X509Certificate2Collection();
        chain.ImportFromPemFile(Set.ClientDeep.Certificate);
        Assert.Equal(3, chain.Count);
        Assert.Equal(chain[1].SubjectName.RawData, chain[0].IssuerName.RawData);
        Assert.Equal(chain[2].SubjectName.RawData, chain[1].IssuerName.RawData);
        using var root = X509CertificateLoader.LoadCertificateFromFile(Set.Ca.Certificate);
        Assert.Equal(root.SubjectName.RawData, chain[2].IssuerName.RawData);
        foreach (var certificate in chain) certificate.Dispose();
    }

    [Fact]
    public void Extended_key_usages_and_names_are_as_documented()
    {
        Assert.Contains("TLS Web Client Authentication", Ext(Set.ClientAlice.Certificate, "extendedKeyUsage"), StringComparison.Ordinal);
        var wrong = Ext(Set.ClientWrongEku.Certificate, "extendedKeyUsage");
        Assert.Contains("TLS Web Server Authentication", wrong, StringComparison.Ordinal);
        Assert.DoesNotContain("Client", wrong, StringComparison.Ordinal);

        var server = Ext(Set.Server.Certificate, "extendedKeyUsage,subjectAltName");
        Assert.Contains("TLS Web Server Authentication", server, StringComparison.Ordinal);
        Assert.Contains("DNS:localhost", server, StringComparison.Ordinal);
        Assert.Contains("IP Address:127.0.0.1", server, StringComparison.Ordinal);
        Assert.Contains("IP Address:0:0:0:0:0:0:0:1", server, StringComparison.Ordinal);

        var alice = Ext(Set.ClientAlice.Certificate, "subjectAltName");
        Assert.Contains("URI:spiffe://edge.dev/alice", alice, StringComparison.Ordinal);
        Assert.Contains("DNS:alice.clients.edge.dev", alice, StringComparison.Ordinal);
        Assert.Contains("URI:spiffe://edge.dev/bob", Ext(Set.ClientBob.Certificate, "subjectAltName"), StringComparison.Ordinal);

        var ca = Ext(Set.Ca.Certificate, "basicConstraints,keyUsage,subjectKeyIdentifier");
        Assert.Contains("CA:TRUE", ca, StringComparison.Ordinal);
        Assert.Contains("Certificate Sign, CRL Sign", ca, StringComparison.Ordinal);
        Assert.Contains("Subject Key Identifier", ca, StringComparison.Ordinal);
    }

    [Fact]
    public void Certificates_load_with_their_keys_and_have_the_documented_subjects_validity_and_serials()
    {
        using var alice = X509Certificate2.CreateFromPemFile(Set.ClientAlice.Certificate, Set.ClientAlice.Key);
        Assert.True(alice.HasPrivateKey);
        Assert.Equal("CN=alice, O=EdgeServer Dev", alice.Subject);
        Assert.Equal(fixture.Now.AddHours(-1).ToUnixTimeSeconds(), new DateTimeOffset(alice.NotBefore).ToUnixTimeSeconds());
        Assert.Equal(fixture.Now.AddDays(365).ToUnixTimeSeconds(), new DateTimeOffset(alice.NotAfter).ToUnixTimeSeconds());
        using var server = X509Certificate2.CreateFromPemFile(Set.Server.Certificate, Set.Server.Key);
        Assert.True(server.HasPrivateKey);
        Assert.Single(File.ReadAllText(Set.Server.Certificate).Split("BEGIN CERTIFICATE").Skip(1));
        using var ca = X509CertificateLoader.LoadCertificateFromFile(Set.Ca.Certificate);
        Assert.Equal("CN=EdgeServer Dev CA, O=EdgeServer Dev", ca.Subject);
        using var expired = X509CertificateLoader.LoadCertificateFromFile(Set.ClientExpired.Certificate);
        Assert.True(expired.NotAfter < DateTime.Now);

        foreach (var pair in new[] { Set.Ca, Set.Server, Set.ClientAlice, Set.ClientBob, Set.ClientRevoked, Set.ClientExpired, Set.ClientOtherCa, Set.ClientWrongEku, Set.ClientDeep })
        {
            using var certificate = X509CertificateLoader.LoadCertificateFromFile(pair.Certificate);
            var serial = certificate.SerialNumberBytes.Span;
            Assert.Equal(16, serial.Length);
            Assert.True(serial[0] is > 0 and < 0x80, pair.Certificate);
        }
    }

    [Fact]
    public void The_crl_reads_with_our_parser()
    {
        var crl = CertificateRevocationList.Load(Set.Crl);
        using var ca = X509CertificateLoader.LoadCertificateFromFile(Set.Ca.Certificate);
        using var otherCa = X509CertificateLoader.LoadCertificateFromFile(Set.OtherCa.Certificate);
        using var revoked = X509CertificateLoader.LoadCertificateFromFile(Set.ClientRevoked.Certificate);
        using var alice = X509CertificateLoader.LoadCertificateFromFile(Set.ClientAlice.Certificate);

        Assert.True(crl.IsSignedBy(ca));
        Assert.False(crl.IsSignedBy(otherCa));
        Assert.Equal(BigInteger.One, crl.CrlNumber);
        Assert.Equal(1, crl.Count);
        Assert.True(crl.IsRevoked(revoked));
        Assert.False(crl.IsRevoked(alice));
        Assert.Equal(fixture.Now.AddDays(30).ToUnixTimeSeconds(), crl.NextUpdate!.Value.ToUnixTimeSeconds());
        Assert.False(crl.IsStale(fixture.Now));
        Assert.True(crl.IsStale(fixture.Now.AddDays(31)));
    }

    private string Ext(string certificate, string names) =>
        Openssl.Ok(fixture.Dir, "x509", "-in", certificate, "-noout", "-ext", names);

    private void AssertRefused(string[] args, string reason)
    {
        var (exit, output) = Openssl.Run(fixture.Dir, ["verify", .. args]);
        Assert.True(exit != 0, $"openssl verify {string.Join(' ', args)} passed:\n{output}");
        Assert.Contains(reason, output, StringComparison.Ordinal);
    }
}
