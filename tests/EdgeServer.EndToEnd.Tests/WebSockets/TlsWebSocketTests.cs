using System.Net.WebSockets;
using System.Text;
using EdgeServer.EndToEnd.Tests.Infrastructure;
using EdgeServer.EndToEnd.Tests.Tls;
using EdgeServer.Upstream.Transport;

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

    [Fact]
    public async Task Both_close_handshakes_complete_over_wss_and_the_tls_stream_stays_intact()
    {
        // The relay wakes its pumps with CancelPendingFlush when the close handshake ends; on a TLS listener that
        // once cancelled a write SslStream had already encrypted, so the client's next record failed its MAC.
        await using var backend = await WsBackend.StartAsync();
        const string routes = """
              - name: ws
                match:
                  path: /ws/
                cluster: app
                websocket: { enabled: true }
            """;
        await using var edge = await EdgeInstance.StartAsync(TlsConfigs.Proxy(_pki, backend.Address, mode: "none", routes: routes));
        for (var i = 0; i < 3; i++)
        {
            using var client = new ClientWebSocket();
            client.Options.RemoteCertificateValidationCallback = (_, _, _, _) => true;
            await client.ConnectAsync(new Uri($"wss://127.0.0.1:{edge.Endpoint.Port}/ws/echo"), default);
            await client.SendAsync("x"u8.ToArray(), WebSocketMessageType.Text, true, default);
            await client.ReceiveAsync(new byte[16], default);
            await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "client done", default);
            Assert.Equal(WebSocketCloseStatus.NormalClosure, client.CloseStatus);
            Assert.Equal("close 1000 client done", backend.NextEnd());
        }

        using var bye = new ClientWebSocket();
        bye.Options.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        await bye.ConnectAsync(new Uri($"wss://127.0.0.1:{edge.Endpoint.Port}/ws/bye"), default);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Assert.Equal(WebSocketMessageType.Text, (await bye.ReceiveAsync(new byte[64], cts.Token)).MessageType);
        Assert.Equal(WebSocketMessageType.Close, (await bye.ReceiveAsync(new byte[64], cts.Token)).MessageType);
        Assert.Equal(4000, (int?)bye.CloseStatus);
        await bye.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "ok", default);
        Assert.Equal("close 1000 ok", backend.NextEnd());
    }

    [Fact]
    public async Task An_idle_wss_relay_holds_no_pipe_block()
    {
        await using var backend = await WsBackend.StartAsync();
        const string routes = """
              - name: ws
                match:
                  path: /ws/
                cluster: app
                websocket: { enabled: true }
            """;
        await using var edge = await EdgeInstance.StartAsync(TlsConfigs.Proxy(_pki, backend.Address, mode: "none", routes: routes));
        var clients = new List<ClientWebSocket>();
        var before = BlockMemoryPool.Shared.Leased;
        for (var i = 0; i < 10; i++)
        {
            var client = new ClientWebSocket();
            client.Options.RemoteCertificateValidationCallback = (_, _, _, _) => true;
            await client.ConnectAsync(new Uri($"wss://127.0.0.1:{edge.Endpoint.Port}/ws/echo"), default);
            await client.SendAsync("x"u8.ToArray(), WebSocketMessageType.Text, true, default);
            await client.ReceiveAsync(new byte[16], default);
            clients.Add(client);
        }
        // Ten idle relays: the TLS listener's pipes and the upstream pipes wait with zero-byte reads, holding no 32 KiB block.
        var leased = 0;
        for (var i = 0; i < 50; i++)
        {
            leased = BlockMemoryPool.Shared.Leased - before;
            if (leased <= 0) break;
            await Task.Delay(100);
        }
        Assert.True(leased <= 0, $"{leased} blocks held by 10 idle wss relays");
        foreach (var client in clients) client.Dispose();
    }
}
