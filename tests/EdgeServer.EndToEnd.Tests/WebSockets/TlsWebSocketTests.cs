using System.Net.WebSockets;
using System.Text;
using EdgeServer.EndToEnd.Tests.Infrastructure;
using EdgeServer.EndToEnd.Tests.Tls;

namespace EdgeServer.EndToEnd.Tests.WebSockets;

/// <summary>wss:// on a TLS listener: the relay runs on the decrypted pipes the same way, violations included.</summary>
public sealed class TlsWebSocketTests : IClassFixture<Pki>
{
    private readonly Pki _pki;

    public TlsWebSocketTests(Pki pki) { _pki = pki; }

    [Fact]
    public async Task Wss_messages_and_the_close_handshake_go_through_a_tls_listener()
    {
        await using var backend = await WsBackend.StartAsync();
        const string routes = """
              - name: ws
                match:
                  path: /ws/
                cluster: app
                websocket: { enabled: true, maxMessageBytes: 64KiB }
            """;
        await using var edge = await EdgeInstance.StartAsync(TlsConfigs.Proxy(_pki, backend.Address, mode: "none", routes: routes));
        using var client = new ClientWebSocket();
        client.Options.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        await client.ConnectAsync(new Uri($"wss://127.0.0.1:{edge.Endpoint.Port}/ws/echo"), default);

        var big = Encoding.UTF8.GetBytes(new string('z', 40_000));
        await client.SendAsync(big, WebSocketMessageType.Text, true, default);
        var buffer = new byte[128 * 1024];
        var length = 0;
        ValueWebSocketReceiveResult received;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        do
        {
            received = await client.ReceiveAsync(buffer.AsMemory(length), cts.Token);
            length += received.Count;
        } while (!received.EndOfMessage);
        Assert.Equal(big.Length, length);

        // Over the route's message limit: 1009 on the TLS side too.
        await client.SendAsync(new byte[70_000], WebSocketMessageType.Binary, true, default);
        var close = await client.ReceiveAsync(buffer, cts.Token);
        Assert.Equal(WebSocketMessageType.Close, close.MessageType);
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, client.CloseStatus);
        Assert.StartsWith("close 1009", backend.NextEnd());
    }
}
