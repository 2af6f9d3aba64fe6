using System.Security.Cryptography.X509Certificates;
using EdgeServer.Config.Model;
using EdgeServer.Tls;

namespace EdgeServer.Tests.Tls;

public sealed class RouteCertificatePolicyTests(DevPkiFixture pki) : IClassFixture<DevPkiFixture>
{
    private ClientIdentity Identity(string name) => new(X509CertificateLoader.LoadCertificateFromFile(pki.File(name + ".crt")), []);

    [Fact]
    public void No_identity_is_refused_whatever_the_lists() =>
        Assert.Contains("requires a verified client certificate", new RouteCertificatePolicy(new RouteClientCertConfig()).Check(null), StringComparison.Ordinal);

    [Fact]
    public void Subjects_are_compared_after_normalising_spacing_and_case()
    {
        var policy = new RouteCertificatePolicy(new RouteClientCertConfig { Subjects = ["cn=alice,   o=EdgeServer Dev"] });
        Assert.Null(policy.Check(Identity("client-alice")));
        Assert.Contains("subject is not allowed", policy.Check(Identity("client-bob")), StringComparison.Ordinal);
    }

    [Fact]
    public void Subjects_match_in_openssl_order_too() =>
        Assert.Null(new RouteCertificatePolicy(new RouteClientCertConfig { Subjects = ["O=EdgeServer Dev, CN=alice"] }).Check(Identity("client-alice")));

    [Fact]
    public void San_uri_patterns_match_a_prefix_and_are_case_sensitive()
    {
        Assert.Null(new RouteCertificatePolicy(new RouteClientCertConfig { SanUri = ["spiffe://edge.dev/*"] }).Check(Identity("client-bob")));
        Assert.Null(new RouteCertificatePolicy(new RouteClientCertConfig { SanUri = ["spiffe://edge.dev/bob"] }).Check(Identity("client-bob")));
        Assert.NotNull(new RouteCertificatePolicy(new RouteClientCertConfig { SanUri = ["spiffe://edge.dev/Bob"] }).Check(Identity("client-bob")));
    }

    [Fact]
    public void San_dns_wildcards_match_one_label()
    {
        Assert.Null(new RouteCertificatePolicy(new RouteClientCertConfig { SanDns = ["*.clients.edge.dev"] }).Check(Identity("client-alice")));
        Assert.NotNull(new RouteCertificatePolicy(new RouteClientCertConfig { SanDns = ["*.edge.dev"] }).Check(Identity("client-alice")));
    }

    [Fact]
    public void Lists_narrow_each_other()
    {
        var alice = Identity("client-alice");
        var policy = new RouteCertificatePolicy(new RouteClientCertConfig { Issuers = [alice.Issuer], Fingerprints = [new string('0', 64)] });
        Assert.Contains("fingerprint is not pinned", policy.Check(alice), StringComparison.Ordinal);
        var pinned = new RouteCertificatePolicy(new RouteClientCertConfig { Issuers = [alice.Issuer], Fingerprints = [alice.Sha256.ToUpperInvariant()] });
        Assert.Null(pinned.Check(alice));
    }
}
