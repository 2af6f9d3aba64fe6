using System.Net.Sockets;
using System.Text;
using EdgeServer.EndToEnd.Tests.Infrastructure;

namespace EdgeServer.EndToEnd.Tests.Tls;

/// <summary>The handshake itself, seen through openssl s_client and raw sockets: SNI, ALPN, versions, resumption, protection.</summary>
public sealed class HandshakeTests(Pki pki) : IClassFixture<Pki>
{
    private async Task<(int Exit, string Out, string Err)> SClientAsync(EdgeInstance edge, string? certificate, params string[] extra)
    {
        var args = new List<string> { "s_client", "-connect", $"127.0.0.1:{edge.Endpoint.Port}", "-CAfile", pki.File("ca.crt"), "-ign_eof" };
        if (certificate is not null) args.AddRange(["-cert", pki.File(certificate + ".crt"), "-key", pki.File(certificate + ".key")]);
        args.AddRange(extra);
        return await ExternalTool.RunAsync("openssl", args, stdin: "GET /hello HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    }

    [Fact]
    public async Task Sni_selects_the_certificate_for_the_name_and_falls_back_to_the_first()
    {
        var (apiCert, apiKey) = pki.IssueServer("server-api", "api.edge.test");
        await using var backend = await TestBackend.StartAsync();
        var certificates = $"""
                    - cert: {apiCert}
                      key: {apiKey}
            """;
        await using var edge = await EdgeInstance.StartAsync(TlsConfigs.Proxy(pki, backend.Address, mode: "none", certificates: certificates));

        var api = await SClientAsync(edge, null, "-servername", "api.edge.test");
        Assert.Contains("CN = api.edge.test", api.Out, StringComparison.Ordinal);
        var local = await SClientAsync(edge, null, "-servername", "localhost");
        Assert.Contains("CN = localhost", local.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("api.edge.test", local.Out, StringComparison.Ordinal);
        var none = await SClientAsync(edge, null, "-noservername");
        Assert.Contains("CN = localhost", none.Out, StringComparison.Ordinal);
        Assert.Contains("HTTP/1.1 200", none.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Alpn_offers_http11_and_only_tls12_and_tls13_are_spoken()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(TlsConfigs.Proxy(pki, backend.Address));

        var tls13 = await SClientAsync(edge, "client-alice", "-alpn", "http/1.1", "-tls1_3");
        Assert.Contains("ALPN protocol: http/1.1", tls13.Out, StringComparison.Ordinal);
        Assert.Contains("TLSv1.3", tls13.Out, StringComparison.Ordinal);
        Assert.Contains("HTTP/1.1 200", tls13.Out, StringComparison.Ordinal);
        var tls12 = await SClientAsync(edge, "client-alice", "-tls1_2");
        Assert.Contains("HTTP/1.1 200", tls12.Out, StringComparison.Ordinal);
        var tls11 = await SClientAsync(edge, "client-alice", "-tls1_1");
        Assert.DoesNotContain("HTTP/1.1 200", tls11.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_session_is_resumed_with_its_ticket()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(TlsConfigs.Proxy(pki, backend.Address));
        var session = pki.File($"session-{Guid.NewGuid():N}.pem");

        var first = await SClientAsync(edge, "client-alice", "-tls1_2", "-sess_out", session);
        Assert.Contains("HTTP/1.1 200", first.Out, StringComparison.Ordinal);
        // The server ended with close_notify: without it OpenSSL 3 drops the session as truncated.
        Assert.DoesNotContain("unexpected eof", first.Err, StringComparison.Ordinal);
        var second = await SClientAsync(edge, "client-alice", "-tls1_2", "-sess_in", session);
        Assert.Contains("Reused, TLSv1.2", second.Out, StringComparison.Ordinal);
        Assert.Contains("HTTP/1.1 200", second.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_peer_that_never_completes_the_handshake_is_closed_after_the_timeout()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(TlsConfigs.Proxy(pki, backend.Address));
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(edge.Endpoint);

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var n = await socket.ReceiveAsync(new byte[16], SocketFlags.None, cts.Token);
        Assert.Equal(0, n);
        await TlsAssertions.MetricEventuallyAsync(edge, "edge_tls_handshake_failures_total{listener=\"mtls\",reason=\"handshake_timeout\"} 1");
    }

    [Fact]
    public async Task Plain_http_on_a_tls_port_is_a_counted_protocol_failure()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(TlsConfigs.Proxy(pki, backend.Address));
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(edge.Endpoint);
        await socket.SendAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
        await TlsAssertions.MetricEventuallyAsync(edge, "edge_tls_handshake_failures_total{listener=\"mtls\",reason=\"protocol\"} 1");
        await using var client = await TlsClient.ConnectAsync(edge.Endpoint, pki, "client-alice");
        Assert.Equal(200, (await client.GetAsync("/hello")).Status);
    }

    [Fact]
    public async Task Handshakes_beyond_the_cap_are_closed_before_any_tls_work()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(TlsConfigs.Proxy(pki, backend.Address, tlsExtra: "      maxConcurrentHandshakes: 1")
            .Replace("handshakeTimeout: 2s", "handshakeTimeout: 10s", StringComparison.Ordinal));
        // A peer that connects and says nothing holds the only handshake slot.
        using var holder = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await holder.ConnectAsync(edge.Endpoint);
        await TlsAssertions.MetricEventuallyAsync(edge, "edge_tls_handshakes_in_progress{listener=\"mtls\"} 1");

        await TlsAssertions.RefusedAsync(edge, pki, "client-alice");
        await TlsAssertions.MetricEventuallyAsync(edge, "edge_tls_handshake_failures_total{listener=\"mtls\",reason=\"too_many_handshakes\"} 1");

        holder.Close();
        await TlsAssertions.MetricEventuallyAsync(edge, "edge_tls_handshakes_in_progress{listener=\"mtls\"} 0");
        await using var client = await TlsClient.ConnectAsync(edge.Endpoint, pki, "client-alice");
        Assert.Equal(200, (await client.GetAsync("/hello")).Status);
    }

    [Fact]
    public async Task Stopping_closes_idle_tls_keep_alive_connections_at_once()
    {
        await using var backend = await TestBackend.StartAsync();
        var edge = await EdgeInstance.StartAsync(TlsConfigs.Proxy(pki, backend.Address));
        await using var idle = await TlsClient.ConnectAsync(edge.Endpoint, pki, "client-alice");
        Assert.Equal(200, (await idle.GetAsync("/hello")).Status);

        var stopping = edge.DisposeAsync().AsTask();
        // The shutdown timeout is 10 s: the decrypted pipe's pending read must be woken like a plain one.
        Assert.True(await idle.ClosedByServerAsync(TimeSpan.FromSeconds(5)));
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
