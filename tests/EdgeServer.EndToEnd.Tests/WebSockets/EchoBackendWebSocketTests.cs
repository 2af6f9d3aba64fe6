using System.Net;
using System.Net.WebSockets;
using System.Text;
using EdgeServer.Builtin;
using EdgeServer.EndToEnd.Tests.Infrastructure;

namespace EdgeServer.EndToEnd.Tests.WebSockets;

/// <summary>
/// The built-in echo backend behind the default config's echo route (same route shape, ephemeral ports instead of
/// 8080/8081): ws://…/echo/ws echoes through the relay, and /echo/x stays the HTTP echo.
/// </summary>
public sealed class EchoBackendWebSocketTests
{
    [Fact]
    public async Task The_echo_backend_echoes_websocket_messages_on_echo_ws_through_the_relay()
    {
        await using var echo = await EchoBackend.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), default);
        var yaml = Configs.Proxy(
            $"""
              - name: echo
                destinations: [127.0.0.1:{echo.Endpoint!.Port}]
            """,
            """
              - name: echo
                match:
                  path: /echo/
                cluster: echo
                websocket:
                  enabled: true
            """);
        await using var edge = await EdgeInstance.StartAsync(yaml);
        using var client = new ClientWebSocket();
        await client.ConnectAsync(new Uri($"ws://{edge.Endpoint}/echo/ws"), default);
        foreach (var text in new[] { "hello", new string('é', 5000) })
        {
            await client.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, default);
            var buffer = new byte[64 * 1024];
            var length = 0;
            ValueWebSocketReceiveResult received;
            do
            {
                received = await client.ReceiveAsync(buffer.AsMemory(length), new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
                length += received.Count;
            } while (!received.EndOfMessage);
            Assert.Equal(WebSocketMessageType.Text, received.MessageType);
            Assert.Equal(text, Encoding.UTF8.GetString(buffer, 0, length));
        }
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "thanks", default);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, client.CloseStatus);

        using var http = edge.CreateClient();
        var answer = await http.PostAsync("/echo/x", new StringContent("hi"));
        Assert.Contains("\"body\": \"hi\"", await answer.Content.ReadAsStringAsync());
    }
}
