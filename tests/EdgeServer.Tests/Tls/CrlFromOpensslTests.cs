using System.Globalization;
using System.Numerics;
using System.Security.Cryptography.X509Certificates;
using EdgeServer.Tls.Pki;

namespace EdgeServer.Tests.Tls;

/// <summary>
/// CRLs made by the real `openssl ca -gencrl`, checked against what `openssl crl` itself reads from them.
/// OpenSSL's encodings differ from the BCL's in the details (PSS salt length, extension order, AKI form).
/// </summary>
public sealed class CrlFromOpensslTests
{
    [Theory]
    [InlineData("rsa", "sha256", false)]
    [InlineData("rsa", "sha384", false)]
    [InlineData("rsa", "sha512", true)]
    [InlineData("rsa", "sha256", true)]
    [InlineData("ec", "sha256", false)]
    [InlineData("ec", "sha384", false)]
    [InlineData("ec", "sha512", false)]
    public void Openssl_crl_reads_back_as_openssl_reads_it_and_verifies(string keyType, string digest, bool pss)
    {
        using var dir = new TempDirectory();
        var ca = OpensslCa.Create(dir.Path, "ca", keyType);
        var other = OpensslCa.Create(dir.Path, "other", keyType);
        var revoked = ca.Issue("revoked", "0x00F1E2D3C4B5A69788");   // high bit: DER needs a leading zero
        var good = ca.Issue("good", "0x1234");
        ca.Revoke(revoked);
        // OpenSSL's own PSS default is the longest salt that fits, unlike the BCL's hash-length salt.
        var pem = ca.GenerateCrl(digest, pss ? ["-sigopt", "rsa_padding_mode:pss"] : []);
        var der = Path.Combine(dir.Path, "crl.der");
        Openssl.Ok(dir.Path, "crl", "-in", pem, "-outform", "DER", "-out", der);
        var facts = Openssl.Ok(dir.Path, "crl", "-in", pem, "-noout", "-lastupdate", "-nextupdate", "-crlnumber");

        using var caCert = X509CertificateLoader.LoadCertificateFromFile(ca.Certificate);
        using var otherCert = X509CertificateLoader.LoadCertificateFromFile(other.Certificate);
        using var revokedCert = X509CertificateLoader.LoadCertificateFromFile(revoked);
        using var goodCert = X509CertificateLoader.LoadCertificateFromFile(good);
        foreach (var file in new[] { pem, der })
        {
            var crl = CertificateRevocationList.Load(file);

            Assert.Equal(caCert.SubjectName.RawData, crl.Issuer.RawData);
            Assert.Equal(OpensslTime(facts, "lastUpdate"), crl.ThisUpdate);
            Assert.Equal(OpensslTime(facts, "nextUpdate"), crl.NextUpdate);
            Assert.Equal(new BigInteger(0x2A), crl.CrlNumber);
            Assert.NotNull(crl.AuthorityKeyIdentifier);
            Assert.Equal(1, crl.Count);
            Assert.True(crl.IsRevoked(revokedCert));
            Assert.False(crl.IsRevoked(goodCert));
            Assert.True(crl.IsSignedBy(caCert));
            Assert.False(crl.IsSignedBy(otherCert));
        }

        // One flipped bit in thisUpdate's seconds keeps the CRL well-formed and breaks its signature.
        var bytes = File.ReadAllBytes(der);
        var thisUpdate = CertificateRevocationList.Parse(bytes, "der").ThisUpdate;
        var text = System.Text.Encoding.ASCII.GetBytes(thisUpdate.UtcDateTime.ToString("yyMMddHHmmss", CultureInfo.InvariantCulture) + "Z");
        var at = bytes.AsSpan().IndexOf(text);
        Assert.True(at > 0);
        bytes[at + 11] = (byte)(bytes[at + 11] == (byte)'0' ? '1' : '0');
        var tampered = CertificateRevocationList.Parse(bytes, "tampered");
        Assert.NotEqual(thisUpdate, tampered.ThisUpdate);
        Assert.False(tampered.IsSignedBy(caCert));
    }

    [Fact]
    public void Openssl_crl_without_revocations_has_no_entries()
    {
        using var dir = new TempDirectory();
        var ca = OpensslCa.Create(dir.Path, "ca", "ec");
        var crl = CertificateRevocationList.Load(ca.GenerateCrl("sha256", []));
        using var caCert = X509CertificateLoader.LoadCertificateFromFile(ca.Certificate);

        Assert.Equal(0, crl.Count);
        Assert.True(crl.IsSignedBy(caCert));
    }

    private static DateTimeOffset OpensslTime(string facts, string name)
    {
        // e.g. "nextUpdate=Jun  8 12:00:00 2030 GMT"
        foreach (var line in facts.Split('\n'))
        {
            if (!line.StartsWith(name + "=", StringComparison.Ordinal)) continue;
            var value = string.Join(' ', line[(name.Length + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries));
            return DateTimeOffset.ParseExact(value, "MMM d HH:mm:ss yyyy 'GMT'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        }
        throw new InvalidOperationException($"openssl did not print {name}:\n{facts}");
    }

    /// <summary>A CA directory as `openssl ca` wants it: config, index, CRL number (starting at 42).</summary>
    private sealed class OpensslCa
    {
        private readonly string _dir;
        private readonly string _name;

        private OpensslCa(string dir, string name)
        {
            _dir = dir;
            _name = name;
        }

        public string Certificate => Path.Combine(_dir, _name + ".crt");

        private string Key => Path.Combine(_dir, _name + ".key");

        private string Config => Path.Combine(_dir, _name + ".cnf");

        public static OpensslCa Create(string dir, string name, string keyType)
        {
            var ca = new OpensslCa(dir, name);
            var keyArgs = keyType == "rsa" ? new[] { "-newkey", "rsa:2048" } : ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"];
            Openssl.Ok(dir, ["req", "-x509", .. keyArgs, "-nodes", "-keyout", ca.Key, "-out", ca.Certificate, "-days", "30",
                "-subj", $"/O=Edge Tests/CN=OpenSSL {name} CA", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
            File.WriteAllText(Path.Combine(dir, name + ".index"), "");
            File.WriteAllText(Path.Combine(dir, name + ".crlnumber"), "2A\n");
            File.WriteAllText(ca.Config, $"""
                [ ca ]
                default_ca = test_ca
                [ test_ca ]
                database = {dir}/{name}.index
                crlnumber = {dir}/{name}.crlnumber
                certificate = {ca.Certificate}
                private_key = {ca.Key}
                default_md = sha256
                default_crl_days = 7
                crl_extensions = crl_ext
                [ crl_ext ]
                authorityKeyIdentifier = keyid:always
                """);
            return ca;
        }

        public string Issue(string leaf, string serial)
        {
            var key = Path.Combine(_dir, leaf + ".key");
            var csr = Path.Combine(_dir, leaf + ".csr");
            var crt = Path.Combine(_dir, leaf + ".crt");
            Openssl.Ok(_dir, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", csr, "-subj", $"/CN={leaf}");
            Openssl.Ok(_dir, "x509", "-req", "-in", csr, "-CA", Certificate, "-CAkey", Key, "-set_serial", serial, "-days", "5", "-out", crt);
            return crt;
        }

        public void Revoke(string certificate) =>
            Openssl.Ok(_dir, "ca", "-config", Config, "-revoke", certificate, "-crl_reason", "keyCompromise");

        public string GenerateCrl(string digest, string[] extra)
        {
            var crl = Path.Combine(_dir, _name + ".crl");
            Openssl.Ok(_dir, ["ca", "-config", Config, "-gencrl", "-md", digest, .. extra, "-out", crl]);
            return crl;
        }
    }
}
