using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using EdgeServer.EndToEnd.Tests.Infrastructure;
using EdgeServer.EndToEnd.Tests.Tls;

namespace EdgeServer.EndToEnd.Tests.WebSocketApi;

/// <summary>A WebSocket API on a mutual-TLS listener: the client certificate's identity reaches every backend call and GET /@connections.</summary>
public sealed class WebSocketApiTlsTests(Pki pki) : IClassFixture<Pki>
{
    [Fact]
    public async Task The_client_certificate_identity_reaches_the_backend_and_the_connection_info()
    {
        await using var backend = await ApiBackend.StartAsync();
        const string routes = """
              - name: api
                match:
                  path: /ws
                cluster: app
                webSocketApi:
                  pingInterval: 0s
                  routes:
                    $connect:
                      path: /connect
                    $default:
                      path: /default
                      reply: true
            """;
        await using var edge = await EdgeInstance.StartAsync(TlsConfigs.Proxy(pki, backend.Address, mode: "require", routes: routes));

        using var ws = new ClientWebSocket();
        ws.Options.KeepAliveInterval = TimeSpan.Zero;
        ws.Options.ClientCertificates.Add(X509Certificate2.CreateFromPemFile(pki.File("client-alice.crt"), pki.File("client-alice.key")));
        using var ca = pki.Load("ca.crt");
        ws.Options.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            // Trust exactly the dev CA (the server certificate is for localhost; we dial the address).
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return certificate is not null && chain.Build(new X509Certificate2(certificate));
        };
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
            await ws.ConnectAsync(new Uri($"wss://{edge.Endpoint}/ws"), timeout.Token);

        using var alice = pki.Load("client-alice.crt");
        var connect = await backend.WaitForAsync(c => c.EventType == "CONNECT");
        Assert.Equal(alice.SubjectName.Name, connect.Headers["X-Client-Cert-Subject"]);
        Assert.Equal("SUCCESS", connect.Headers["X-Client-Cert-Verified"]);
        Assert.Equal("https", connect.Headers["X-Forwarded-Proto"]);

        await ApiEdge.SendTextAsync(ws, "hi");
        Assert.Equal((WebSocketMessageType.Text, "default:hi"), await ApiEdge.ReceiveAsync(ws));
        var message = await backend.WaitForAsync(c => c.EventType == "MESSAGE");
        Assert.Equal(alice.SubjectName.Name, message.Headers["X-Client-Cert-Subject"]);

        using var admin = ApiEdge.AdminHttp(edge);
        using var info = await admin.GetAsync($"/@connections/{connect.ConnectionId}");
        Assert.Equal(HttpStatusCode.OK, info.StatusCode);
        using var json = JsonDocument.Parse(await info.Content.ReadAsStringAsync());
        Assert.Equal(alice.SubjectName.Name, json.RootElement.GetProperty("identity").GetProperty("clientCertSubject").GetString());
    }
}
