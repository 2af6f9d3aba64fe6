using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using EdgeServer.Tls;

namespace EdgeServer.Tests.Tls;

public sealed class AcceptedIdentitiesTests
{
    private static readonly X509Certificate2 s_ca = TestPki.EcdsaCa("CN=Identity Cache CA", ECCurve.NamedCurves.nistP256);

    [Fact]
    public void A_certificate_seen_again_gets_the_identity_of_its_first_handshake()
    {
        var cache = new AcceptedIdentities();
        var leaf = TestPki.Leaf(s_ca, 1, 2, 3);
        var chains = 0;
        X509Certificate2[] Issuers(X509Certificate2 ca)
        {
            chains++;
            return [ca];
        }

        var first = cache.Get(leaf, s_ca, Issuers);
        // Another connection presents the same certificate: a different object with the same DER bytes.
        var again = cache.Get(X509CertificateLoader.LoadCertificate(leaf.RawData), s_ca, Issuers);

        Assert.Same(first, again);
        Assert.Equal(1, chains);
        Assert.Equal(leaf.RawData, first.Certificate.RawData);
        Assert.NotSame(leaf, first.Certificate); // a copy the handshake's caller may dispose without harm
        Assert.Same(s_ca, Assert.Single(first.Issuers));
        Assert.Equal("CN=leaf", first.Subject);
    }

    [Fact]
    public void Different_certificates_get_their_own_identities()
    {
        var cache = new AcceptedIdentities();
        var one = cache.Get(TestPki.Leaf(s_ca, 1), s_ca, static ca => [ca]);
        var two = cache.Get(TestPki.Leaf(s_ca, 2), s_ca, static ca => [ca]);

        Assert.NotSame(one, two);
        Assert.Equal("01", one.SerialNumber);
        Assert.Equal("02", two.SerialNumber);
    }

    [Fact]
    public void A_flood_of_distinct_certificates_never_holds_more_than_the_capacity()
    {
        var cache = new AcceptedIdentities();
        var kept = TestPki.Leaf(s_ca, 0x7F, 0xFF);
        for (var i = 0; i <= AcceptedIdentities.Capacity + 10; i++)
        {
            cache.Get(TestPki.Leaf(s_ca, (byte)(0x10 + (i >> 8)), (byte)i, 1), s_ca, static ca => [ca]);
            Assert.InRange(cache.Count, 1, AcceptedIdentities.Capacity);
        }
        // After the cache was emptied, a certificate is parsed again and cached again.
        var first = cache.Get(kept, s_ca, static ca => [ca]);
        Assert.Same(first, cache.Get(kept, s_ca, static ca => [ca]));
    }
}
