using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using EdgeServer.EndToEnd.Tests.Infrastructure;
using EdgeServer.EndToEnd.Tests.Tls;

namespace EdgeServer.EndToEnd.Tests.WebSockets;

/// <summary>
/// maxConnectionsPerKey on a route without API keys: the verified client certificate is the identity counted, so
/// two certificates from one address each get their own slots.
/// </summary>
public sealed class WebSocketPerCertificateLimitTests : IClassFixture<Pki>
{
    private readonly Pki _pki;

    public WebSocketPerCertificateLimitTests(Pki pki)
    {
        _pki = pki;
        _pki.IssueClient("ws-alice", DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1));
        _pki.IssueClient("ws-bob", DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1));
    }

    private ClientWebSocket Client(string certificate)
    {
        var client = new ClientWebSocket();
        client.Options.KeepAliveInterval = TimeSpan.Zero;
        client.Options.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        client.Options.ClientCertificates = [X509Certificate2.CreateFromPemFile(_pki.File(certificate + ".crt"), _pki.File(certificate + ".key"))];
        client.Options.CollectHttpResponseDetails = true;
        return client;
    }

    [Fact]
    public async Task Each_client_certificate_has_its_own_slots_on_a_route_without_api_keys()
    {
        await using var backend = await WsBackend.StartAsync();
        const string routes = """
              - name: ws
                match:
                  path: /ws/
                cluster: app
                clientCert: {}
                websocket: { enabled: true, maxConnectionsPerKey: 1 }
            """;
        await using var edge = await EdgeInstance.StartAsync(TlsConfigs.Proxy(_pki, backend.Address, mode: "require", routes: routes));
        var uri = new Uri($"wss://127.0.0.1:{edge.Endpoint.Port}/ws/echo");

        var alice = Client("ws-alice");
        await alice.ConnectAsync(uri, default);
        using (var again = Client("ws-alice"))
        {
            await Assert.ThrowsAsync<WebSocketException>(() => again.ConnectAsync(uri, default));
            Assert.Equal(HttpStatusCode.TooManyRequests, again.HttpStatusCode);
        }
        using var bob = Client("ws-bob");
        await bob.ConnectAsync(uri, default);
        Assert.Equal(WebSocketState.Open, bob.State);

        await alice.CloseAsync(WebSocketCloseStatus.NormalClosure, null, default);
        alice.Dispose();
        await WebSocketRelayTests.WaitForOpenAsync(edge, 1);
        using var aliceAgain = Client("ws-alice");
        await aliceAgain.ConnectAsync(uri, default);
        Assert.Equal(WebSocketState.Open, aliceAgain.State);
        Assert.Contains("edge_websocket_upgrades_refused_total{route=\"ws\",reason=\"per_key_limit\"} 1", await AdminClient.GetAsync(edge, "/metrics"));
    }
}
