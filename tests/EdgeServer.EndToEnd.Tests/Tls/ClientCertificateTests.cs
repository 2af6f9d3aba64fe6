using System.Text.Json;
using EdgeServer.EndToEnd.Tests.Infrastructure;

namespace EdgeServer.EndToEnd.Tests.Tls;

/// <summary>mTLS listeners with real clients: curl and .NET's SslStream against the dev PKI.</summary>
public sealed class ClientCertificateTests(Pki pki) : IClassFixture<Pki>
{
    private async Task<(int Exit, string Out, string Err)> CurlAsync(EdgeInstance edge, string path, string? certificate, params string[] extra)
    {
        var port = edge.Endpoint.Port;
        var args = new List<string> { "-sS", "--max-time", "20", "--resolve", $"localhost:{port}:127.0.0.1", "--cacert", pki.File("ca.crt") };
        if (certificate is not null) args.AddRange(["--cert", pki.File(certificate + ".crt"), "--key", pki.File(certificate + ".key")]);
        args.AddRange(extra);
        args.Add($"https://localhost:{port}{path}");
        return await ExternalTool.RunAsync("curl", args);
    }

    [Fact]
    public async Task Curl_with_a_valid_certificate_reaches_the_backend_with_identity_headers_and_forged_ones_stripped()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(TlsConfigs.Proxy(pki, backend.Address, clientExtra: "        headers: { xfcc: true }"));

        var (exit, stdout, stderr) = await CurlAsync(edge, "/headers", "client-alice",
            "-H", "X-Client-Cert-Subject: CN=mallory", "-H", "X-Forwarded-Client-Cert: Hash=forged", "-H", "x-client-cert-verified: SUCCESS");
        Assert.True(exit == 0, stderr);
        var headers = JsonSerializer.Deserialize<Dictionary<string, string>>(stdout)!;
        var alice = pki.Load("client-alice.crt");
        var sha256 = Convert.ToHexStringLower(alice.GetCertHash(System.Security.Cryptography.HashAlgorithmName.SHA256));
        var headerMap = new Dictionary<string, string>(headers, StringComparer.OrdinalIgnoreCase);
        Assert.Equal(alice.SubjectName.Name, headerMap["X-Client-Cert-Subject"]);
        Assert.Equal(alice.IssuerName.Name, headerMap["X-Client-Cert-Issuer"]);
        Assert.Equal(alice.SerialNumber, headerMap["X-Client-Cert-Serial"]);
        Assert.Equal(sha256, headerMap["X-Client-Cert-Sha256"]);
        Assert.Equal("SUCCESS", headerMap["X-Client-Cert-Verified"]);
        Assert.Contains("URI:spiffe://edge.dev/alice", headerMap["X-Client-Cert-San"], StringComparison.Ordinal);
        Assert.Equal("https", headerMap["X-Forwarded-Proto"]);
        var xfcc = headerMap["X-Forwarded-Client-Cert"];
        Assert.StartsWith($"Hash={sha256};Subject=\"{alice.SubjectName.Name}\"", xfcc, StringComparison.Ordinal);
        Assert.Contains(";URI=spiffe://edge.dev/alice", xfcc, StringComparison.Ordinal);
        Assert.DoesNotContain("forged", xfcc, StringComparison.Ordinal);
        await TlsAssertions.MetricEventuallyAsync(edge, "edge_tls_handshakes_total{listener=\"mtls\"} 1");
    }

    [Theory]
    [InlineData(null, "no_certificate")]
    [InlineData("client-other-ca", "unknown_ca")]
    [InlineData("client-expired", "expired")]
    [InlineData("client-revoked", "revoked")]
    [InlineData("client-wrong-eku", "wrong_eku")]
    [InlineData("client-deep", "chain_too_deep")]
    public async Task A_certificate_the_listener_cannot_accept_is_refused_and_counted_by_reason(string? certificate, string reason)
    {
        await using var backend = await TestBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(TlsConfigs.Proxy(pki, backend.Address));

        await TlsAssertions.RefusedAsync(edge, pki, certificate);
        await TlsAssertions.MetricEventuallyAsync(edge, $"edge_tls_handshake_failures_total{{listener=\"mtls\",reason=\"{reason}\"}} 1");
        Assert.Equal(0, backend.Connections);
    }

    [Fact]
    public async Task A_certificate_not_valid_yet_is_refused_as_such()
    {
        pki.IssueClient("client-future", DateTimeOffset.UtcNow.AddDays(1), DateTimeOffset.UtcNow.AddDays(30));
        await using var backend = await TestBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(TlsConfigs.Proxy(pki, backend.Address));
        await TlsAssertions.RefusedAsync(edge, pki, "client-future");
        await TlsAssertions.MetricEventuallyAsync(edge, "edge_tls_handshake_failures_total{listener=\"mtls\",reason=\"not_yet_valid\"} 1");
    }

    [Fact]
    public async Task Curl_without_a_certificate_on_a_require_listener_fails()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(TlsConfigs.Proxy(pki, backend.Address));
        var (exit, _, _) = await CurlAsync(edge, "/hello", null);
        Assert.NotEqual(0, exit);
        await TlsAssertions.MetricEventuallyAsync(edge, "edge_tls_handshake_failures_total{listener=\"mtls\",reason=\"no_certificate\"} 1");
    }

    [Fact]
    public async Task A_deeper_chain_is_accepted_when_max_chain_depth_allows_it()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(TlsConfigs.Proxy(pki, backend.Address, clientExtra: "        maxChainDepth: 3"));
        // openssl sends the intermediates with -cert_chain (client-deep.crt holds leaf, then both intermediates).
        var (_, stdout, stderr) = await ExternalTool.RunAsync("openssl",
            ["s_client", "-connect", $"127.0.0.1:{edge.Endpoint.Port}", "-CAfile", pki.File("ca.crt"), "-ign_eof",
             "-cert", pki.File("client-deep.crt"), "-key", pki.File("client-deep.key"), "-cert_chain", pki.File("client-deep.crt")],
            stdin: "GET /headers HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        Assert.True(stdout.Contains("HTTP/1.1 200", StringComparison.Ordinal), stderr);
        Assert.Contains("CN=deep", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Optional_mode_serves_clients_without_a_certificate_and_routes_that_need_one_answer_403()
    {
        await using var backend = await TestBackend.StartAsync();
        var routes = """
              - name: alice-only
                match:
                  path: /alice/
                cluster: app
                clientCert:
                  subjects: ["CN=alice, O=EdgeServer Dev"]
              - name: spiffe
                match:
                  path: /spiffe/
                cluster: app
                clientCert:
                  sanUri: ["spiffe://edge.dev/*"]
              - name: any-cert
                match:
                  path: /cert/
                cluster: app
                clientCert: {}
            """;
        await using var edge = await EdgeInstance.StartAsync(TlsConfigs.Proxy(pki, backend.Address, mode: "optional", routes: routes));

        await using (var anonymous = await TlsClient.ConnectAsync(edge.Endpoint, pki, null))
        {
            var (status, _, body) = await anonymous.GetAsync("/headers");
            Assert.Equal(200, status);
            Assert.Contains("\"X-Client-Cert-Verified\":\"NONE\"", body, StringComparison.OrdinalIgnoreCase);
            var refused = await anonymous.GetAsync("/cert/x");
            Assert.Equal(403, refused.Status);
            Assert.Contains("requires a verified client certificate", refused.Body, StringComparison.Ordinal);
        }

        await using var bob = await TlsClient.ConnectAsync(edge.Endpoint, pki, "client-bob");
        Assert.Equal(200, (await bob.GetAsync("/cert/x")).Status);
        Assert.Equal(200, (await bob.GetAsync("/spiffe/x")).Status);
        var notAlice = await bob.GetAsync("/alice/x");
        Assert.Equal(403, notAlice.Status);
        Assert.Contains("subject is not allowed", notAlice.Body, StringComparison.Ordinal);

        await using var alice = await TlsClient.ConnectAsync(edge.Endpoint, pki, "client-alice");
        Assert.Equal(200, (await alice.GetAsync("/alice/x")).Status);
    }

    [Fact]
    public async Task A_fingerprint_pin_admits_only_the_pinned_certificate()
    {
        await using var backend = await TestBackend.StartAsync();
        var pin = pki.Load("client-bob.crt").GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var routes = $$"""
              - name: pinned
                match:
                  path: /pinned/
                cluster: app
                clientCert:
                  fingerprints: ["{{string.Join(':', pin.Chunk(2).Select(c => new string(c)))}}"]
            """;
        await using var edge = await EdgeInstance.StartAsync(TlsConfigs.Proxy(pki, backend.Address, routes: routes));
        await using var bob = await TlsClient.ConnectAsync(edge.Endpoint, pki, "client-bob");
        Assert.Equal(200, (await bob.GetAsync("/pinned/x")).Status);
        await using var alice = await TlsClient.ConnectAsync(edge.Endpoint, pki, "client-alice");
        Assert.Equal(403, (await alice.GetAsync("/pinned/x")).Status);
    }

    [Fact]
    public async Task The_access_log_records_the_client_subject_and_the_reason_of_a_403()
    {
        await using var backend = await TestBackend.StartAsync();
        var log = Path.Combine(pki.Directory, $"access-{Guid.NewGuid():N}.log");
        var routes = """
              - name: alice-only
                match:
                  path: /alice/
                cluster: app
                clientCert:
                  subjects: ["CN=alice, O=EdgeServer Dev"]
            """;
        var yaml = TlsConfigs.Proxy(pki, backend.Address, routes: routes)
            .Replace("accessLog:\n  enabled: false", $"accessLog:\n  path: {log}", StringComparison.Ordinal);
        await using (var edge = await EdgeInstance.StartAsync(yaml))
        {
            await using var bob = await TlsClient.ConnectAsync(edge.Endpoint, pki, "client-bob");
            Assert.Equal(403, (await bob.GetAsync("/alice/x")).Status);
        }
        var line = File.ReadAllLines(log).Single(l => l.Contains("/alice/x", StringComparison.Ordinal));
        Assert.Contains("\"status\":403", line, StringComparison.Ordinal);
        Assert.Contains("\"error\":\"client certificate subject is not allowed on this route\"", line, StringComparison.Ordinal);
        Assert.Contains("\"client_cert\":\"CN=bob, O=EdgeServer Dev\"", line, StringComparison.Ordinal);
    }
}
