using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using EdgeServer.Config;
using EdgeServer.EndToEnd.Tests.Infrastructure;
using EdgeServer.Upstream;
using static EdgeServer.Tests.Config.ConfigAssert;

namespace EdgeServer.Tests.Config;

/// <summary>A cluster's 'tls' block: binding, the files it names (read at load time), and every error with its position.</summary>
public sealed class UpstreamTlsConfigTests : IDisposable
{
    // The 'tls' block's keys start at line 9, column 7; their values at column 7 + key length + 2.
    private const string Cluster = Listener + "clusters:\n  - name: api\n    destinations: [10.0.0.1:443]\n    tls:\n";

    private readonly TestPki _pki = TestPki.Create();

    public void Dispose() => _pki.Dispose();

    private static string Tls(params string[] lines) => Cluster + string.Concat(lines.Select(l => "      " + l + "\n"));

    [Fact]
    public void A_full_block_binds_and_loads_its_files()
    {
        var config = Valid(Tls(
            $"caBundle: {_pki.CaBundlePath}",
            "serverName: backend.internal",
            $"clientCertificate: {_pki.ClientCertificatePath}",
            $"clientKey: {_pki.ClientKeyPath}",
            "handshakeTimeout: 3s",
            "protocols: [tls1.3]"));
        var tls = config.Clusters[0].Tls!;
        Assert.Equal("backend.internal", tls.ServerName);
        Assert.Equal(TimeSpan.FromSeconds(3), tls.HandshakeTimeout);
        Assert.Equal(SslProtocols.Tls13, tls.Protocols);
        Assert.Equal(TestPki.ClientSubject, tls.Material.ClientLeaf!.Subject);
        Assert.True(tls.Material.ClientLeaf.HasPrivateKey);
        Assert.NotNull(tls.Material.ChainPolicy);
    }

    [Fact]
    public void Defaults_are_tls12_and_13_with_a_5s_handshake_and_no_client_certificate()
    {
        var tls = Valid(Tls($"caBundle: {_pki.CaBundlePath}")).Clusters[0].Tls!;
        Assert.Equal(SslProtocols.Tls12 | SslProtocols.Tls13, tls.Protocols);
        Assert.Equal(TimeSpan.FromSeconds(5), tls.HandshakeTimeout);
        Assert.Null(tls.Material.ClientCertificate);
        Assert.Null(Valid(Cluster.Replace("    tls:\n", "", StringComparison.Ordinal)).Clusters[0].Tls);
    }

    [Fact]
    public void System_trust_needs_no_bundle()
    {
        var tls = Valid(Tls("useSystemTrust: true")).Clusters[0].Tls!;
        Assert.True(tls.UseSystemTrust);
        Assert.Null(tls.Material.ChainPolicy);
    }

    [Fact]
    public void A_pfx_with_its_password_loads()
    {
        var tls = Valid(Tls("useSystemTrust: true", $"clientCertificate: {_pki.ClientPfxPath}", $"clientKeyPassword: {TestPki.PfxPassword}")).Clusters[0].Tls!;
        Assert.Equal(TestPki.ClientSubject, tls.Material.ClientLeaf!.Subject);
    }

    [Fact]
    public void Key_in_the_certificate_file_itself_is_found()
    {
        var both = _pki.Write("both.pem", System.IO.File.ReadAllText(_pki.ClientCertificatePath) + System.IO.File.ReadAllText(_pki.ClientKeyPath));
        Assert.NotNull(Valid(Tls("useSystemTrust: true", $"clientCertificate: {both}")).Clusters[0].Tls!.Material.ClientCertificate);
    }

    [Fact]
    public void Relative_paths_are_relative_to_the_config_files_directory()
    {
        var yaml = Tls("caBundle: ca.crt", "clientCertificate: client.crt", "clientKey: client.key");
        var path = _pki.Write("edge.yaml", yaml);
        var result = ConfigLoader.LoadFile(path);
        Assert.True(result.Ok, string.Join("\n", result.Errors));
    }

    [Fact]
    public void Missing_bundle_file() =>
        HasError(Tls($"caBundle: {_pki.Directory}/nope.crt"), 9, 17, "'caBundle': file not found: " + Path.Combine(_pki.Directory, "nope.crt"));

    [Fact]
    public void Bundle_that_holds_no_certificate() =>
        HasError(Tls($"caBundle: {_pki.Write("empty.crt", "not a pem file\n")}"), 9, 17, "'caBundle': no certificate in", "BEGIN CERTIFICATE");

    [Fact]
    public void Bundle_with_a_broken_pem_block() =>
        HasError(Tls($"caBundle: {_pki.Write("broken.crt", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")}"), 9, 17, "'caBundle': malformed PEM certificate in");

    [Fact]
    public void Missing_key_file() =>
        HasError(Tls("useSystemTrust: true", $"clientCertificate: {_pki.ClientCertificatePath}", $"clientKey: {_pki.Directory}/nokey.pem"),
            11, 18, "'clientKey': file not found");

    [Fact]
    public void Certificate_file_without_a_certificate() =>
        HasError(Tls("useSystemTrust: true", $"clientCertificate: {_pki.ClientKeyPath}", $"clientKey: {_pki.ClientKeyPath}"),
            10, 26, "'clientCertificate': no certificate in");

    [Fact]
    public void Key_that_belongs_to_another_certificate()
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var key = _pki.Write("other.key", other.ExportPkcs8PrivateKeyPem());
        HasError(Tls("useSystemTrust: true", $"clientCertificate: {_pki.ClientCertificatePath}", $"clientKey: {key}"),
            11, 18, "'clientKey': the private key in", "does not match the certificate (CN=edge-client");
    }

    [Fact]
    public void Key_of_another_type_than_the_certificates()
    {
        using var rsa = RSA.Create(2048);
        var key = _pki.Write("rsa.key", rsa.ExportPkcs8PrivateKeyPem());
        HasError(Tls("useSystemTrust: true", $"clientCertificate: {_pki.ClientCertificatePath}", $"clientKey: {key}"),
            11, 18, "'clientKey': cannot read the private key in", "as ECDSA (the certificate's key type)");
    }

    [Fact]
    public void Key_file_without_a_key() =>
        HasError(Tls("useSystemTrust: true", $"clientCertificate: {_pki.ClientCertificatePath}", $"clientKey: {_pki.CaBundlePath}"),
            11, 18, "'clientKey': no private key in", "PRIVATE KEY");

    [Fact]
    public void Certificate_file_without_a_key_and_no_client_key() =>
        HasError(Tls("useSystemTrust: true", $"clientCertificate: {_pki.ClientCertificatePath}"), 10, 26, "no private key in", "set 'clientKey'");

    [Fact]
    public void Encrypted_key_without_a_password()
    {
        var key = _pki.Write("encrypted.key", _pki.Client.GetECDsaPrivateKey()!.ExportEncryptedPkcs8PrivateKeyPem(
            "secret", new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 1000)));
        HasError(Tls("useSystemTrust: true", $"clientCertificate: {_pki.ClientCertificatePath}", $"clientKey: {key}"), 11, 18, "is encrypted; set 'clientKeyPassword'");
        Valid(Tls("useSystemTrust: true", $"clientCertificate: {_pki.ClientCertificatePath}", $"clientKey: {key}", "clientKeyPassword: secret"));
    }

    [Fact]
    public void Pfx_with_a_wrong_password() =>
        HasError(Tls("useSystemTrust: true", $"clientCertificate: {_pki.ClientPfxPath}", "clientKeyPassword: wrong"), 10, 26, "'clientCertificate': cannot open", "as PKCS#12");

    [Fact]
    public void Client_key_next_to_a_pfx() =>
        HasError(Tls("useSystemTrust: true", $"clientCertificate: {_pki.ClientPfxPath}", $"clientKey: {_pki.ClientKeyPath}"), 11, 18, "a .pfx/.p12 carries its own key");

    [Fact]
    public void Client_key_without_a_certificate() =>
        HasError(Tls("useSystemTrust: true", $"clientKey: {_pki.ClientKeyPath}"), 10, 18, "'clientKey' needs 'clientCertificate'");

    [Fact]
    public void Trust_is_required() =>
        HasError(Tls("serverName: a.b"), 9, 7, "'tls' needs 'caBundle'", "or 'useSystemTrust: true'");

    [Fact]
    public void Bundle_and_system_trust_exclude_each_other() =>
        HasError(Tls($"caBundle: {_pki.CaBundlePath}", "useSystemTrust: true"), 10, 23, "exclude each other");

    [Fact]
    public void Unknown_key_gets_a_suggestion() =>
        HasError(Tls($"caBundel: {_pki.CaBundlePath}"), 9, 7, "unknown key 'caBundel' in tls (did you mean 'caBundle'?)");

    [Fact]
    public void Old_protocols_are_refused() =>
        HasError(Tls("useSystemTrust: true", "protocols: [tls1.2, tls1.1]"), 10, 27, "protocol: expected tls1.2 or tls1.3, got 'tls1.1'");

    [Fact]
    public void Bad_server_name() =>
        HasError(Tls("useSystemTrust: true", "serverName: 'not a name'"), 10, 19, "'serverName': expected a DNS name");

    [Fact]
    public void The_password_never_reaches_the_config_json()
    {
        var config = Valid(Tls("useSystemTrust: true", $"clientCertificate: {_pki.ClientPfxPath}", $"clientKeyPassword: {TestPki.PfxPassword}"));
        var json = ConfigJson.ToJsonString(config);
        Assert.DoesNotContain(TestPki.PfxPassword, json, StringComparison.Ordinal);
        using var document = System.Text.Json.JsonDocument.Parse(json);
        var tls = document.RootElement.GetProperty("clusters")[0].GetProperty("tls");
        Assert.Equal(ConfigJson.RedactedValue, tls.GetProperty("clientKeyPassword").GetString());
        Assert.Contains(TestPki.ClientSubject, json, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reload_sees_a_cluster_as_changed_exactly_when_a_file_changed()
    {
        var bundle = _pki.Write("bundle.crt", _pki.Ca.ExportCertificatePem());
        var yaml = Tls($"caBundle: {bundle}");
        var first = Valid(yaml).Clusters[0];
        var again = Valid(yaml).Clusters[0];
        Assert.True(ClusterConfigComparer.Instance.Equals(first, again));
        Assert.Equal(ClusterConfigComparer.Instance.GetHashCode(first), ClusterConfigComparer.Instance.GetHashCode(again));

        _pki.Write("bundle.crt", _pki.OtherCa.ExportCertificatePem());
        Assert.False(ClusterConfigComparer.Instance.Equals(first, Valid(yaml).Clusters[0]));
        Assert.False(ClusterConfigComparer.Instance.Equals(first, Valid(yaml + "      serverName: other.test\n").Clusters[0]));
    }
}
