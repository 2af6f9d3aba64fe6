using EdgeServer.EndToEnd.Tests.Infrastructure;

namespace EdgeServer.EndToEnd.Tests;

/// <summary>Clusters that speak HTTPS to their backends: real handshakes against a Kestrel backend doing mutual TLS.</summary>
public sealed class UpstreamTlsTests : IDisposable
{
    private readonly TestPki _pki = TestPki.Create();

    public void Dispose() => _pki.Dispose();

    private string Tls(string caBundle, string? serverName = TestPki.ServerName, bool clientCertificate = true)
    {
        var tls = $"    tls:\n      caBundle: {caBundle}\n      handshakeTimeout: 10s\n";
        if (serverName is not null) tls += $"      serverName: {serverName}\n";
        if (clientCertificate) tls += $"      clientCertificate: {_pki.ClientCertificatePath}\n      clientKey: {_pki.ClientKeyPath}\n";
        return tls + "    connectTimeout: 15s";
    }

    [Fact]
    public async Task Proxies_over_tls_presenting_the_client_certificate_and_sending_sni()
    {
        await using var backend = await TlsBackend.StartAsync(_pki);
        await using var edge = await EdgeInstance.StartAsync(Configs.SingleBackend(backend.Address, Tls(_pki.CaBundlePath)));
        using var client = edge.CreateClient();

        using var response = await client.GetAsync(new Uri("/whoami", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(TestPki.ClientSubject, body);
        Assert.Equal(TestPki.ServerName, backend.LastSni);

        // A body through the encrypting send loop and back through the decrypting receive loop, larger than a TLS record and a block.
        var payload = new string('p', 100_000);
        using var echo = await client.PostAsync(new Uri("/echo", UriKind.Relative), new StringContent(payload));
        Assert.Equal(payload, await echo.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Keep_alive_requests_reuse_one_tls_connection()
    {
        await using var backend = await TlsBackend.StartAsync(_pki);
        await using var edge = await EdgeInstance.StartAsync(Configs.SingleBackend(backend.Address, Tls(_pki.CaBundlePath)));
        using var client = edge.CreateClient();
        for (var i = 0; i < 5; i++)
        {
            using var response = await client.GetAsync(new Uri($"/big/{40_000 + i}", UriKind.Relative));
            Assert.Equal(40_000 + i, (await response.Content.ReadAsStringAsync()).Length);
        }
        Assert.Equal(1, backend.Connections);
    }

    [Fact]
    public async Task A_pooled_tls_connection_the_backend_closed_while_idle_is_not_reused()
    {
        await using var backend = await TlsBackend.StartAsync(_pki, keepAliveTimeout: TimeSpan.FromSeconds(1));
        await using var edge = await EdgeInstance.StartAsync(Configs.SingleBackend(backend.Address, Tls(_pki.CaBundlePath)));
        using var client = edge.CreateClient();
        using (var first = await client.GetAsync(new Uri("/whoami", UriKind.Relative)))
            Assert.Equal(200, (int)first.StatusCode);

        // Kestrel closes the idle connection; the pool's liveness check must notice, because a POST
        // with a body is never retried on a connection that turns out dead.
        await Task.Delay(TimeSpan.FromSeconds(3));
        using var echo = await client.PostAsync(new Uri("/echo", UriKind.Relative), new StringContent("after idle"));
        Assert.Equal(200, (int)echo.StatusCode);
        Assert.Equal("after idle", await echo.Content.ReadAsStringAsync());
        Assert.Equal(2, backend.Connections);
    }

    [Fact]
    public async Task An_ip_destination_without_server_name_is_verified_against_ip_sans_and_sends_no_sni()
    {
        await using var backend = await TlsBackend.StartAsync(_pki);
        var cluster = $"    tls:\n      caBundle: {_pki.CaBundlePath}\n      clientCertificate: {_pki.ClientPfxPath}\n      clientKeyPassword: {TestPki.PfxPassword}";
        await using var edge = await EdgeInstance.StartAsync(Configs.SingleBackend(backend.Address, cluster));
        using var client = edge.CreateClient();

        using var response = await client.GetAsync(new Uri("/whoami", UriKind.Relative));
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(TestPki.ClientSubject, await response.Content.ReadAsStringAsync());
        Assert.True(string.IsNullOrEmpty(backend.LastSni), $"SNI sent: {backend.LastSni}");
    }

    [Fact]
    public async Task A_backend_outside_the_ca_bundle_is_502_with_the_reason()
    {
        await using var backend = await TlsBackend.StartAsync(_pki);
        await using var edge = await EdgeInstance.StartAsync(Configs.SingleBackend(backend.Address, Tls(_pki.OtherCaBundlePath)));
        using var client = edge.CreateClient();

        using var response = await client.GetAsync(new Uri("/whoami", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(502, (int)response.StatusCode);
        Assert.True(body.Contains("upstream TLS handshake failed: remote certificate untrusted (PartialChain: no issuer of it is among the trusted CAs)", StringComparison.Ordinal), body);
    }

    [Fact]
    public async Task A_server_name_the_certificate_does_not_carry_is_502()
    {
        await using var backend = await TlsBackend.StartAsync(_pki);
        await using var edge = await EdgeInstance.StartAsync(Configs.SingleBackend(backend.Address, Tls(_pki.CaBundlePath, serverName: "other.test")));
        using var client = edge.CreateClient();

        using var response = await client.GetAsync(new Uri("/whoami", UriKind.Relative));
        Assert.Equal(502, (int)response.StatusCode);
        Assert.Contains("remote certificate name mismatch", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("other.test", backend.LastSni);
    }

    [Fact]
    public async Task No_client_certificate_at_a_backend_that_requires_one_is_502()
    {
        await using var backend = await TlsBackend.StartAsync(_pki);
        await using var edge = await EdgeInstance.StartAsync(Configs.SingleBackend(backend.Address, Tls(_pki.CaBundlePath, clientCertificate: false)));
        using var client = edge.CreateClient();

        using var response = await client.GetAsync(new Uri("/whoami", UriKind.Relative));
        Assert.Equal(502, (int)response.StatusCode);
        Assert.Equal(0, backend.Connections);
    }

    [Fact]
    public async Task A_reload_picks_up_a_changed_ca_bundle()
    {
        await using var backend = await TlsBackend.StartAsync(_pki);
        // The bundle starts out holding the wrong CA, then the right one is written over it.
        var bundle = _pki.Write("rotating-ca.crt", _pki.OtherCa.ExportCertificatePem());
        var yaml = Configs.SingleBackend(backend.Address, Tls(bundle));
        await using var edge = await EdgeInstance.StartAsync(yaml);
        using var client = edge.CreateClient();
        using (var before = await client.GetAsync(new Uri("/whoami", UriKind.Relative)))
            Assert.Equal(502, (int)before.StatusCode);

        _pki.Write("rotating-ca.crt", _pki.Ca.ExportCertificatePem());
        var reload = await edge.ReloadAsync(yaml);
        Assert.True(reload.Ok, string.Join("; ", reload.Errors));
        using var after = await client.GetAsync(new Uri("/whoami", UriKind.Relative));
        Assert.Equal(200, (int)after.StatusCode);
    }

    [Fact]
    public async Task Active_health_probes_run_the_clusters_handshake()
    {
        await using var backend = await TlsBackend.StartAsync(_pki);
        var bundle = _pki.Write("probe-ca.crt", _pki.OtherCa.ExportCertificatePem());
        var yaml = Configs.SingleBackend(backend.Address,
            Tls(bundle) + "\n    activeHealth:\n      path: /healthz\n      interval: 1s\n      timeout: 1s\n      unhealthyThreshold: 1\n      healthyThreshold: 1");
        await using var edge = await EdgeInstance.StartAsync(yaml);
        var healthy = $"edge_upstream_healthy{{destination=\"app/{backend.Address}\"}}";

        // Probes verify the backend like requests do: untrusted, so down.
        await WaitUntilAsync(async () => (await AdminClient.GetAsync(edge, "/metrics")).Contains(healthy + " 0", StringComparison.Ordinal));

        // Trusted after the bundle changes and a reload: probes complete mutual-TLS handshakes (the
        // backend counts only those), and the destination is up.
        _pki.Write("probe-ca.crt", _pki.Ca.ExportCertificatePem());
        Assert.True((await edge.ReloadAsync(yaml)).Ok);
        await WaitUntilAsync(async () => backend.Connections >= 2
            && (await AdminClient.GetAsync(edge, "/metrics")).Contains(healthy + " 1", StringComparison.Ordinal));
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 150; i++)
        {
            if (await condition()) return;
            await Task.Delay(100);
        }
        Assert.Fail("condition not reached within 15 s");
    }
}
