using EdgeServer.Config;
using EdgeServer.Config.Model;
using EdgeServer.Tests.Tls;
using static EdgeServer.Tests.Config.ConfigAssert;

namespace EdgeServer.Tests.Config;

/// <summary>TLS listener and route client-certificate settings: binding, and each file problem at the line that names the file.</summary>
public sealed class TlsConfigTests(DevPkiFixture pki) : IClassFixture<DevPkiFixture>
{
    private string Tls(string cert = "server.crt", string key = "server.key", string client = "", string extra = "") => $"""
        listeners:
          - name: secure
            address: 127.0.0.1:8443
            tls:
              certificates:
                - cert: {pki.File(cert)}
                  key: {pki.File(key)}
        {extra}
        {client}
        admin: {"{enabled: false}"}
        """;

    private string Client(string mode = "require", string bundle = "ca.crt", string crl = "ca.crl", string more = "") => $"""
              clientCertificates:
                mode: {mode}
                caBundles: [{pki.File(bundle)}]
                crls: [{pki.File(crl)}]
        {more}
        """;

    [Fact]
    public void A_tls_listener_binds_with_its_defaults()
    {
        var config = Valid(Tls(client: Client()));
        var tls = config.Listeners[0].Tls!;
        Assert.Equal(pki.File("server.crt"), tls.Certificates[0].CertificateFile);
        Assert.Equal(System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13, tls.Protocols);
        Assert.Equal(TimeSpan.FromSeconds(10), tls.HandshakeTimeout);
        Assert.Equal(ClientCertificateMode.Require, tls.ClientCertificates.Mode);
        Assert.Equal([pki.File("ca.crl")], tls.ClientCertificates.Crls);
        Assert.Equal(2, tls.ClientCertificates.MaxChainDepth);
        Assert.Equal(StaleCrlPolicy.FailClosed, tls.ClientCertificates.StaleCrl);
        Assert.Equal("X-Client-Cert-Subject", tls.ClientCertificates.Headers.Subject);
        Assert.False(tls.ClientCertificates.Headers.Xfcc);
    }

    [Fact]
    public void Header_names_can_be_renamed_or_turned_off()
    {
        var config = Valid(Tls(client: Client(more: "        headers: { subject: X-Subject, sans: off, xfcc: true }")));
        var headers = config.Listeners[0].Tls!.ClientCertificates.Headers;
        Assert.Equal("X-Subject", headers.Subject);
        Assert.Null(headers.Sans);
        Assert.True(headers.Xfcc);
    }

    [Fact]
    public void Relative_paths_are_relative_to_the_config_file()
    {
        var path = Path.Combine(pki.Directory, "edge.yaml");
        System.IO.File.WriteAllText(path, """
            listeners:
              - name: secure
                address: 127.0.0.1:8443
                tls:
                  certificates:
                    - cert: server.crt
                      key: server.key
            admin: {enabled: false}
            """);
        var result = ConfigLoader.LoadFile(path);
        Assert.True(result.Ok, string.Join("\n", result.Errors));
        Assert.Equal(pki.File("server.key"), result.Config!.Listeners[0].Tls!.Certificates[0].KeyFile);
    }

    [Fact]
    public void A_missing_certificate_file_is_reported_at_its_value() =>
        HasError(Tls(cert: "nope.crt"), 6, 17, "file not found: ", "nope.crt");

    [Fact]
    public void A_key_that_does_not_match_is_reported_at_the_key() =>
        HasError(Tls(key: "client-alice.key"), 7, 16, "client-alice.key does not match the certificate");

    [Fact]
    public void A_leaf_in_a_ca_bundle_is_refused() =>
        HasError(Tls(client: Client(bundle: "client-alice.crt", crl: "ca.crl")), 11, 21, "is not a CA certificate");

    [Fact]
    public void A_crl_from_another_ca_is_refused() =>
        HasError(Tls(client: Client(bundle: "other-ca.crt")), 12, 16, "is not signed by any CA in caBundles");

    [Fact]
    public void Require_without_trust_is_an_error() =>
        HasError(Tls(client: "      clientCertificates:\n        mode: require\n"), 10, 9, "needs 'caBundles'");

    [Fact]
    public void Old_protocols_are_not_offered() =>
        HasError(Tls(extra: "      protocols: [tls1.1]"), 8, 19, "expected tls1.2 or tls1.3");

    [Fact]
    public void A_tls_block_without_certificates_is_an_error() =>
        HasError(Listener.Replace("8080", "8080\n    tls: {handshakeTimeout: 5s}", StringComparison.Ordinal), 4, 10, "tls needs 'certificates'");

    [Fact]
    public void Route_client_cert_values_are_checked() =>
        HasError(Listener + """
            routes:
              - name: pinned
                match: {path: /}
                mock: {status: 200}
                clientCert:
                  fingerprints: ["ab:cd"]
                  sanUri: ["not a uri"]
            """, 10, 22, "64 hex digits", "got 'ab:cd'");
}
