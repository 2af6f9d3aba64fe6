using System.Net;
using System.Net.Sockets;
using EdgeServer.EndToEnd.Tests.Infrastructure;

namespace EdgeServer.EndToEnd.Tests;

/// <summary>Listener-level behaviour: IPv6 listeners, and the cap on concurrent connections.</summary>
public sealed class ListenerTests
{
    private const string MockRoutes = "  - name: hi\n    match:\n      path: /\n    mock:\n      body: hi";

    [Fact]
    public async Task Serves_on_an_IPv6_loopback_listener()
    {
        var yaml = Configs.Proxy("  []", MockRoutes).Replace("clusters:\n  []", "clusters: []", StringComparison.Ordinal)
            .Replace("address: 127.0.0.1:0\n", "address: \"[::1]:0\"\n", StringComparison.Ordinal);
        await using var edge = await EdgeInstance.StartAsync(yaml);
        Assert.Equal(AddressFamily.InterNetworkV6, edge.Endpoint.AddressFamily);
        using var socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(edge.Endpoint);
        await socket.SendAsync("GET / HTTP/1.1\r\nHost: [::1]\r\nConnection: close\r\n\r\n"u8.ToArray(), SocketFlags.None);
        var buffer = new byte[4096];
        var total = 0;
        int n;
        while ((n = await socket.ReceiveAsync(buffer.AsMemory(total), SocketFlags.None)) > 0) total += n;
        var text = System.Text.Encoding.ASCII.GetString(buffer, 0, total);
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", text, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\nhi", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connections_beyond_the_cap_are_closed_at_accept_and_admitted_again_when_one_leaves()
    {
        var yaml = Configs.Proxy("  []", MockRoutes, limits: "  maxConnections: 2").Replace("clusters:\n  []", "clusters: []", StringComparison.Ordinal);
        await using var edge = await EdgeInstance.StartAsync(yaml);
        using var first = await RawClient.ConnectAsync(edge.Endpoint);
        using var second = await RawClient.ConnectAsync(edge.Endpoint);
        foreach (var client in new[] { first, second })
        {
            await client.SendAsync("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            Assert.Equal(200, (await client.ReadResponseAsync())!.Status);
        }

        Assert.True(await IsRefusedAsync(edge.Endpoint));

        first.Dispose();
        // The server notices the close asynchronously: retry briefly until a slot is free again.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var fourth = await RawClient.ConnectAsync(edge.Endpoint);
                await fourth.SendAsync("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
                var response = await fourth.ReadResponseAsync(TimeSpan.FromSeconds(2));
                if (response is not null)
                {
                    Assert.Equal(200, response.Status);
                    break;
                }
            }
            catch (SocketException) when (attempt < 50)
            {
            }
            Assert.True(attempt < 50, "no connection admitted after one was closed");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Stopping_closes_idle_keep_alive_connections_at_once_rather_than_after_the_shutdown_timeout()
    {
        var yaml = Configs.Proxy("  []", MockRoutes).Replace("clusters:\n  []", "clusters: []", StringComparison.Ordinal);
        var edge = await EdgeInstance.StartAsync(yaml);
        using var idle = await RawClient.ConnectAsync(edge.Endpoint);
        await idle.SendAsync("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        Assert.Equal(200, (await idle.ReadResponseAsync())!.Status);

        var stopping = edge.DisposeAsync().AsTask();
        // The shutdown timeout is 10 s: an idle connection must be closed well before it.
        Assert.True(await idle.IsClosedByServerAsync(TimeSpan.FromSeconds(5)));
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>
    /// The edge closes a refused connection at once; the reset can even reach the client before its
    /// connect completes, which is the same refusal seen earlier.
    /// </summary>
    private static async Task<bool> IsRefusedAsync(IPEndPoint endpoint)
    {
        try
        {
            using var client = await RawClient.ConnectAsync(endpoint);
            return await client.IsClosedByServerAsync(TimeSpan.FromSeconds(5));
        }
        catch (SocketException)
        {
            return true;
        }
    }
}
