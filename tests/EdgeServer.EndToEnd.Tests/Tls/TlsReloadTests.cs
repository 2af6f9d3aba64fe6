using EdgeServer.EndToEnd.Tests.Infrastructure;

namespace EdgeServer.EndToEnd.Tests.Tls;

/// <summary>Certificates, keys and CRLs replaced on disk while the server runs (each test has its own PKI: it rewrites files).</summary>
public sealed class TlsReloadTests
{
    [Fact]
    public async Task A_crl_that_revokes_a_connected_client_closes_its_connection_and_refuses_it_afterwards()
    {
        using var pki = new Pki();
        await using var backend = await TestBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(TlsConfigs.Proxy(pki, backend.Address));
        await using var alice = await TlsClient.ConnectAsync(edge.Endpoint, pki, "client-alice");
        await using var bob = await TlsClient.ConnectAsync(edge.Endpoint, pki, "client-bob");
        Assert.Equal(200, (await alice.GetAsync("/hello")).Status);
        Assert.Equal(200, (await bob.GetAsync("/hello")).Status);

        pki.WriteCrl(2, DateTimeOffset.UtcNow.AddDays(30), null, "client-revoked", "client-alice");

        Assert.True(await alice.ClosedByServerAsync(TimeSpan.FromSeconds(10)), "alice's open connection should be closed once her certificate is revoked");
        await TlsAssertions.MetricEventuallyAsync(edge, "edge_tls_connections_closed_total{listener=\"mtls\",reason=\"revoked\"} 1");
        Assert.Equal(200, (await bob.GetAsync("/hello")).Status);
        await TlsAssertions.RefusedAsync(edge, pki, "client-alice");
        await TlsAssertions.MetricEventuallyAsync(edge, "edge_tls_handshake_failures_total{listener=\"mtls\",reason=\"revoked\"} 1");
    }

    [Fact]
    public async Task A_replaced_server_certificate_is_used_by_new_handshakes_while_open_connections_carry_on()
    {
        using var pki = new Pki();
        await using var backend = await TestBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(TlsConfigs.Proxy(pki, backend.Address));
        await using var before = await TlsClient.ConnectAsync(edge.Endpoint, pki, "client-alice");
        var oldSerial = before.Stream.RemoteCertificate!.GetSerialNumberString();

        var (cert, key) = pki.IssueServer("server-next", "localhost");
        File.Copy(key, pki.File("server.key"), overwrite: true);
        File.Copy(cert, pki.File("server.crt"), overwrite: true);
        await TlsAssertions.MetricEventuallyAsync(edge, "edge_tls_reloads_total{listener=\"mtls\",result=\"success\"} 1");

        await using var after = await TlsClient.ConnectAsync(edge.Endpoint, pki, "client-alice");
        Assert.NotEqual(oldSerial, after.Stream.RemoteCertificate!.GetSerialNumberString());
        Assert.Equal(200, (await after.GetAsync("/hello")).Status);
        Assert.Equal(200, (await before.GetAsync("/hello")).Status);
    }

    [Fact]
    public async Task A_broken_key_file_is_refused_and_the_running_certificate_stays()
    {
        using var pki = new Pki();
        await using var backend = await TestBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(TlsConfigs.Proxy(pki, backend.Address));

        await File.WriteAllTextAsync(pki.File("server.key"), "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n");
        await TlsAssertions.MetricEventuallyAsync(edge, "edge_tls_reloads_total{listener=\"mtls\",result=\"failure\"} 1");

        await using var client = await TlsClient.ConnectAsync(edge.Endpoint, pki, "client-alice");
        Assert.Equal(200, (await client.GetAsync("/hello")).Status);
    }

    [Theory]
    [InlineData("failClosed", false)]
    [InlineData("failOpen", true)]
    public async Task A_stale_crl_follows_the_configured_policy(string policy, bool admitted)
    {
        using var pki = new Pki();
        pki.WriteCrl(2, nextUpdate: DateTimeOffset.UtcNow.AddHours(-1), thisUpdate: DateTimeOffset.UtcNow.AddDays(-2), "client-revoked");
        await using var backend = await TestBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(TlsConfigs.Proxy(pki, backend.Address, clientExtra: $"        staleCrl: {policy}"));

        if (admitted)
        {
            await using var client = await TlsClient.ConnectAsync(edge.Endpoint, pki, "client-alice");
            Assert.Equal(200, (await client.GetAsync("/hello")).Status);
            // Stale is not a pass for what the CRL does list.
            await TlsAssertions.RefusedAsync(edge, pki, "client-revoked");
        }
        else
        {
            await TlsAssertions.RefusedAsync(edge, pki, "client-alice");
            await TlsAssertions.MetricEventuallyAsync(edge, "edge_tls_handshake_failures_total{listener=\"mtls\",reason=\"crl_stale\"} 1");
        }
    }

    [Fact]
    public async Task A_config_reload_that_drops_a_ca_closes_the_connections_it_had_authenticated()
    {
        using var pki = new Pki();
        await using var backend = await TestBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(TlsConfigs.Proxy(pki, backend.Address));
        await using var alice = await TlsClient.ConnectAsync(edge.Endpoint, pki, "client-alice");
        Assert.Equal(200, (await alice.GetAsync("/hello")).Status);

        // Trust moves to the other CA (its own CRL-less bundle): alice's issuer is no longer trusted.
        var reloaded = await edge.ReloadAsync(TlsConfigs.Proxy(pki, backend.Address)
            .Replace($"caBundles: [{pki.File("ca.crt")}]", $"caBundles: [{pki.File("other-ca.crt")}]", StringComparison.Ordinal)
            .Replace($"crls: [{pki.File("ca.crl")}]", "crls: []", StringComparison.Ordinal));
        Assert.True(reloaded.Ok, string.Join("; ", reloaded.Errors));

        Assert.True(await alice.ClosedByServerAsync(TimeSpan.FromSeconds(10)), "alice's connection should close once her CA is no longer trusted");
        await TlsAssertions.MetricEventuallyAsync(edge, "edge_tls_connections_closed_total{listener=\"mtls\",reason=\"unknown_ca\"} 1");
        await using var other = await TlsClient.ConnectAsync(edge.Endpoint, pki, "client-other-ca");
        Assert.Equal(200, (await other.GetAsync("/hello")).Status);
    }

    [Theory]
    [InlineData("-tls1_2")]
    [InlineData("-tls1_3")]
    public async Task A_session_resumed_after_its_certificate_was_revoked_is_refused(string version)
    {
        using var pki = new Pki();
        await using var backend = await TestBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(TlsConfigs.Proxy(pki, backend.Address));
        var session = pki.File("alice-session.pem");
        Task<(int Exit, string Out, string Err)> Alice(string sessionOption) => ExternalTool.RunAsync("openssl",
            ["s_client", "-connect", $"127.0.0.1:{edge.Endpoint.Port}", "-CAfile", pki.File("ca.crt"), "-ign_eof", version,
             "-cert", pki.File("client-alice.crt"), "-key", pki.File("client-alice.key"), sessionOption, session],
            stdin: "GET /hello HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");

        var first = await Alice("-sess_out");
        Assert.Contains("HTTP/1.1 200", first.Out, StringComparison.Ordinal);
        var resumed = await Alice("-sess_in");
        Assert.Contains("Reused,", resumed.Out, StringComparison.Ordinal);
        Assert.Contains("HTTP/1.1 200", resumed.Out, StringComparison.Ordinal);

        pki.WriteCrl(2, DateTimeOffset.UtcNow.AddDays(30), null, "client-alice");
        await TlsAssertions.MetricEventuallyAsync(edge, "edge_tls_reloads_total{listener=\"mtls\",result=\"success\"} 1");
        var afterRevocation = await Alice("-sess_in");
        Assert.DoesNotContain("HTTP/1.1 200", afterRevocation.Out, StringComparison.Ordinal);
    }
}
