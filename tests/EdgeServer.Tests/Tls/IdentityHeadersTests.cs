using System.IO.Pipelines;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using EdgeServer.Config.Model;
using EdgeServer.Http;
using EdgeServer.Protocol.Http1;
using EdgeServer.Tls;

namespace EdgeServer.Tests.Tls;

public sealed class IdentityHeadersTests(DevPkiFixture pki) : IClassFixture<DevPkiFixture>
{
    private static RequestHead Parse(string request)
    {
        var limits = HttpParserLimits.Default;
        var head = new RequestHead(limits);
        var buffer = new System.Buffers.ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(request));
        Assert.Equal(ParseStatus.Complete, Http1RequestParser.TryParse(buffer, head, limits, out _));
        return head;
    }

    [Fact]
    public void Client_sent_identity_fields_are_dropped_on_every_listener_whatever_their_case()
    {
        var head = Parse("GET / HTTP/1.1\r\nHost: a\r\nx-client-cert-subject: CN=forged\r\nX-FORWARDED-CLIENT-CERT: Hash=1\r\nX-My-Subject: keep\r\nAccept: */*\r\n\r\n");
        IdentityHeaders.StripOnly.Mark(head.Buffer, head.MutableFields);
        var dropped = head.Fields.ToArray().Where(f => f.Drop).Select(f => Encoding.ASCII.GetString(head.Buffer, f.NameStart, f.NameLength)).ToArray();
        Assert.Equal(["x-client-cert-subject", "X-FORWARDED-CLIENT-CERT"], dropped);

        var renamed = new IdentityHeaders(new ClientIdentityHeadersConfig { Subject = "X-My-Subject" });
        head = Parse("GET / HTTP/1.1\r\nHost: a\r\nX-My-Subject: forged\r\n\r\n");
        renamed.Mark(head.Buffer, head.MutableFields);
        Assert.True(head.Fields[1].Drop);
    }

    [Fact]
    public async Task Identity_values_and_xfcc_are_written_as_configured()
    {
        var identity = new ClientIdentity(X509CertificateLoader.LoadCertificateFromFile(pki.File("client-alice.crt")), []);
        var headers = new IdentityHeaders(new ClientIdentityHeadersConfig { Issuer = null, Xfcc = true });
        var pipe = new Pipe();
        Write(pipe.Writer, headers, identity);
        await pipe.Writer.FlushAsync();
        pipe.Reader.TryRead(out var result);
        var text = Encoding.ASCII.GetString(System.Buffers.BuffersExtensions.ToArray(result.Buffer));
        Assert.Contains("X-Client-Cert-Verified: SUCCESS\r\n", text, StringComparison.Ordinal);
        Assert.Contains($"X-Client-Cert-Subject: {identity.Subject}\r\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("X-Client-Cert-Issuer", text, StringComparison.Ordinal);
        Assert.Contains($"X-Forwarded-Client-Cert: Hash={identity.Sha256};Subject=\"{identity.Subject}\";URI=spiffe://edge.dev/alice;DNS=alice.clients.edge.dev\r\n", text, StringComparison.Ordinal);
    }

    private static void Write(PipeWriter output, IdentityHeaders headers, ClientIdentity identity)
    {
        var w = new HeadWriter(output);
        headers.Write(ref w, identity);
        w.Commit();
    }

    [Fact]
    public void Non_ascii_and_percent_are_percent_encoded_in_values() =>
        Assert.Equal("CN=J%C3%BCrgen 100%25", Encoding.ASCII.GetString(ClientIdentity.HeaderValue("CN=Jürgen 100%")));
}
