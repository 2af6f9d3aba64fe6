using System.Net;
using System.Net.Sockets;
using EdgeServer.EndToEnd.Tests.Infrastructure;

namespace EdgeServer.EndToEnd.Tests;

/// <summary>Backends that refuse, reset, stall or talk nonsense: the client gets 502/503/504 with a typed JSON error, never a hang.</summary>
public sealed class UpstreamFailureTests
{
    private static int UnusedPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static async Task<RawResponse> GetAsync(EdgeInstance edge, string path = "/x")
    {
        using var client = await RawClient.ConnectAsync(edge.Endpoint);
        await client.SendAsync($"GET {path} HTTP/1.1\r\nHost: a\r\n\r\n");
        return (await client.ReadResponseAsync(TimeSpan.FromSeconds(20)))!;
    }

    [Fact]
    public async Task Refused_connection_is_502()
    {
        await using var edge = await EdgeInstance.StartAsync(Configs.SingleBackend($"127.0.0.1:{UnusedPort()}"));
        var response = await GetAsync(edge);
        Assert.Equal(502, response.Status);
        Assert.Contains("upstream connect failed", response.BodyText, StringComparison.Ordinal);
        Assert.NotNull(response.Header("X-Request-Id"));
    }

    [Fact]
    public async Task Backend_that_resets_is_502()
    {
        await using var backend = new RawBackend(async socket =>
        {
            await RawBackend.ReadHeadAsync(socket);
            socket.LingerState = new LingerOption(true, 0);   // close with RST
            socket.Close();
        });
        await using var edge = await EdgeInstance.StartAsync(Configs.SingleBackend(backend.Address));
        Assert.Equal(502, (await GetAsync(edge)).Status);
    }

    [Fact]
    public async Task Backend_that_answers_garbage_is_502()
    {
        await using var backend = new RawBackend(async socket =>
        {
            await RawBackend.ReadHeadAsync(socket);
            await RawBackend.SendAsync(socket, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab");
            await Task.Delay(2000);
        });
        await using var edge = await EdgeInstance.StartAsync(Configs.SingleBackend(backend.Address));
        var response = await GetAsync(edge);
        Assert.Equal(502, response.Status);
        Assert.Contains("malformed upstream response", response.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Silent_backend_is_504_after_the_response_timeout()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(Configs.SingleBackend(backend.Address, clusterExtra: "    responseTimeout: 1s"));
        var response = await GetAsync(edge, "/slow/10000");
        Assert.Equal(504, response.Status);
        Assert.Contains("upstream response timeout", response.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Close_delimited_response_is_relayed_and_the_client_connection_closes()
    {
        await using var backend = new RawBackend(async socket =>
        {
            await RawBackend.ReadHeadAsync(socket);
            await RawBackend.SendAsync(socket, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end");
            socket.Shutdown(SocketShutdown.Send);
            await Task.Delay(500);
        });
        await using var edge = await EdgeInstance.StartAsync(Configs.SingleBackend(backend.Address));
        using var client = await RawClient.ConnectAsync(edge.Endpoint);
        await client.SendAsync("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        var all = System.Text.Encoding.ASCII.GetString(await client.ReadToCloseAsync());
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", all, StringComparison.Ordinal);
        Assert.Contains("Connection: close\r\n", all, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\nuntil the end", all, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Interim_103_is_forwarded_before_the_final_response()
    {
        await using var backend = new RawBackend(async socket =>
        {
            await RawBackend.ReadHeadAsync(socket);
            await RawBackend.SendAsync(socket, "HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n");
            await RawBackend.SendAsync(socket, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            await Task.Delay(500);
        });
        await using var edge = await EdgeInstance.StartAsync(Configs.SingleBackend(backend.Address));
        using var client = await RawClient.ConnectAsync(edge.Endpoint);
        await client.SendAsync("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        var early = await client.ReadResponseAsync();
        Assert.Equal(103, early!.Status);
        Assert.Equal("</s.css>; rel=preload", early.Header("Link"));
        var final = await client.ReadResponseAsync();
        Assert.Equal(200, final!.Status);
        Assert.Equal("ok", final.BodyText);
    }

    [Fact]
    public async Task Dead_destination_is_retried_elsewhere_then_ejected_and_readmitted_when_it_recovers()
    {
        await using var live = await TestBackend.StartAsync("live");
        var deadPort = UnusedPort();
        var yaml = Configs.SingleBackend($"{live.Address}, 127.0.0.1:{deadPort}",
            clusterExtra: "    passiveHealth:\n      consecutiveFailures: 2\n      ejectDuration: 2s");
        await using var edge = await EdgeInstance.StartAsync(yaml);

        // Connect failures are retried once on the other destination: no client sees the dead one.
        for (var i = 0; i < 10; i++)
        {
            var response = await GetAsync(edge, "/hello");
            Assert.Equal(200, response.Status);
            Assert.Equal("hello from live", response.BodyText);
        }
        var metrics = await AdminClient.GetAsync(edge, "/metrics");
        Assert.Contains($"edge_upstream_healthy{{destination=\"app/127.0.0.1:{deadPort}\"}} 0", metrics, StringComparison.Ordinal);

        // The dead destination comes back: after the ejection it is tried again and takes traffic.
        await using var revived = await TestBackend.StartAsync("revived", deadPort);
        await Task.Delay(2500);
        var seen = new HashSet<string>();
        for (var i = 0; i < 20 && seen.Count < 2; i++) seen.Add((await GetAsync(edge, "/hello")).BodyText);
        Assert.Contains("hello from revived", seen);
    }

    [Fact]
    public async Task Active_health_checks_take_a_failing_destination_out_and_back()
    {
        await using var a = await TestBackend.StartAsync("a");
        var failing = true;
        await using var b = new RawBackend(async socket =>
        {
            var head = await RawBackend.ReadHeadAsync(socket);
            var status = head.StartsWith("GET /healthz", StringComparison.Ordinal) && Volatile.Read(ref failing) ? "500 Internal Server Error" : "200 OK";
            await RawBackend.SendAsync(socket, $"HTTP/1.1 {status}\r\nContent-Length: 9\r\nConnection: close\r\n\r\nhello b!!");
        });
        // Warm the healthy backend first: a JIT-cold first request can outlast a probe timeout, and this
        // test is about the failing destination, not about a slow start of the healthy one.
        using (var warm = new HttpClient()) Assert.Equal("ok", await warm.GetStringAsync($"http://{a.Address}/healthz"));
        var yaml = Configs.SingleBackend($"{a.Address}, {b.Address}",
            clusterExtra: "    activeHealth:\n      path: /healthz\n      interval: 500ms\n      timeout: 500ms\n      unhealthyThreshold: 2\n      healthyThreshold: 1");
        await using var edge = await EdgeInstance.StartAsync(yaml);
        await WaitUntilAsync(async () => (await AdminClient.GetAsync(edge, "/metrics")).Contains($"edge_upstream_healthy{{destination=\"app/{b.Address}\"}} 0", StringComparison.Ordinal));
        for (var i = 0; i < 6; i++) Assert.Equal("hello from a", (await GetAsync(edge, "/hello")).BodyText);

        Volatile.Write(ref failing, false);
        await WaitUntilAsync(async () => (await AdminClient.GetAsync(edge, "/metrics")).Contains($"edge_upstream_healthy{{destination=\"app/{b.Address}\"}} 1", StringComparison.Ordinal));
        var bodies = new HashSet<string>();
        for (var i = 0; i < 6; i++) bodies.Add((await GetAsync(edge, "/hello")).BodyText);
        Assert.Contains("hello b!!", bodies);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 100; i++)
        {
            if (await condition()) return;
            await Task.Delay(100);
        }
        Assert.Fail("condition not reached within 10 s");
    }
}
