using System.Net.Sockets;
using EdgeServer.EndToEnd.Tests.Infrastructure;

namespace EdgeServer.EndToEnd.Tests;

/// <summary>
/// The request-body relay, which streams concurrently with the response head read: bodies that arrive in
/// pieces on one keep-alive connection (the connection's relay is reused), an upstream that answers before
/// reading the body, a client that goes silent or away mid-body.
/// </summary>
public sealed class RequestBodyTests
{
    [Fact]
    public async Task Bodies_arriving_in_pieces_reuse_one_keep_alive_connection()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var edge = await EdgeInstance.StartAsync(Configs.SingleBackend(backend.Address));
        using var client = await RawClient.ConnectAsync(edge.Endpoint);
        for (var round = 0; round < 3; round++)
        {
            // Content-Length, the body after the head and in two pieces: the relay waits for each.
            await client.SendAsync("POST /count HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n");
            await Task.Delay(30);
            await client.SendAsync("hello");
            await Task.Delay(30);
            await client.SendAsync("world");
            await AssertCountAsync(client, "10");

            // Chunked, chunk by chunk.
            await client.SendAsync("POST /count HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
            await Task.Delay(30);
            await client.SendAsync("6\r\n world\r\n0\r\n\r\n");
            await AssertCountAsync(client, "11");

            // Expect: 100-continue, the body only after the interim response.
            await client.SendAsync("POST /count HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
            Assert.Equal(100, (await client.ReadResponseAsync())!.Status);
            await client.SendAsync("ping");
            await AssertCountAsync(client, "4");
        }
    }

    private static async Task AssertCountAsync(RawClient client, string expected)
    {
        var response = await client.ReadResponseAsync();
        Assert.NotNull(response);
        Assert.Equal(200, response.Status);
        Assert.Equal(expected, response.BodyText);
        Assert.Null(response.Header("Connection"));
    }

    [Fact]
    public async Task Early_response_is_relayed_and_the_unfinished_upload_closes_the_connection()
    {
        await using var backend = new RawBackend(async socket =>
        {
            await RawBackend.ReadHeadAsync(socket);
            await RawBackend.SendAsync(socket, "HTTP/1.1 401 Unauthorized\r\nContent-Length: 2\r\n\r\nno");
            await Task.Delay(5000);   // never reads the body
        });
        await using var edge = await EdgeInstance.StartAsync(Configs.SingleBackend(backend.Address));
        using var client = await RawClient.ConnectAsync(edge.Endpoint);
        await client.SendAsync("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 1000000\r\n\r\n" + new string('x', 1000));
        var response = await client.ReadResponseAsync();
        Assert.NotNull(response);
        Assert.Equal(401, response.Status);
        Assert.Equal("no", response.BodyText);
        Assert.Equal("close", response.Header("Connection"));
        Assert.True(await client.IsClosedByServerAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Silent_upload_is_408_and_the_upstream_connection_is_aborted()
    {
        var upstreamEnded = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var backend = new RawBackend(socket => ReadUntilEndAsync(socket, upstreamEnded));
        await using var edge = await EdgeInstance.StartAsync(Configs.SingleBackend(backend.Address));   // headerTimeout: 2s
        using var client = await RawClient.ConnectAsync(edge.Endpoint);
        await client.SendAsync("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc");
        var response = await client.ReadResponseAsync(TimeSpan.FromSeconds(20));
        Assert.NotNull(response);
        Assert.Equal(408, response.Status);
        Assert.Contains("request body timeout", response.BodyText, StringComparison.Ordinal);
        Assert.True(await client.IsClosedByServerAsync(TimeSpan.FromSeconds(5)));
        await upstreamEnded.Task.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Client_gone_mid_body_aborts_the_upstream_connection()
    {
        var upstreamEnded = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var backend = new RawBackend(socket => ReadUntilEndAsync(socket, upstreamEnded));
        await using var edge = await EdgeInstance.StartAsync(Configs.SingleBackend(backend.Address));
        using (var client = await RawClient.ConnectAsync(edge.Endpoint))
        {
            await client.SendAsync("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc");
            await Task.Delay(200);
        }
        var received = await upstreamEnded.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(received > 0);
    }

    /// <summary>Reads what the proxy sends until it closes or resets the connection; reports how many bytes came.</summary>
    private static async Task ReadUntilEndAsync(Socket socket, TaskCompletionSource<int> ended)
    {
        var buffer = new byte[16 * 1024];
        var total = 0;
        try
        {
            int n;
            while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None)) > 0) total += n;
        }
        catch (SocketException)
        {
            // reset: ended all the same
        }
        ended.TrySetResult(total);
    }
}
