using System.IO.Pipelines;
using System.Net;
using EdgeServer.Config;
using EdgeServer.Config.Model;
using EdgeServer.Connections;
using EdgeServer.Routing;
using EdgeServer.Runtime;
using Microsoft.AspNetCore.Connections;

namespace EdgeServer.Tests.Connections;

/// <summary>The head reader over a real pipe: cancellations that are not its own timeout must not break the next read.</summary>
public sealed class RequestHeadReaderTests
{
    private static (ClientConnection Connection, Pipe Client, RuntimeSnapshot Snapshot) Create()
    {
        EdgeServer.Tests.Config.DefaultConfigCertificates.Ensure();
        var config = ConfigLoader.LoadYaml(DefaultConfig.Yaml, DefaultConfig.SourceName).Config!;
        var snapshot = new RuntimeSnapshot(1, config, RouteTable.Compile([], config.Limits.MaxBodyBytes), new Dictionary<CompiledRoute, RouteEntry>());
        var fromClient = new Pipe();
        var toClient = new Pipe();
        var context = new DefaultConnectionContext("test", new Duplex(fromClient.Reader, toClient.Writer), new Duplex(toClient.Reader, fromClient.Writer))
        {
            RemoteEndPoint = new IPEndPoint(IPAddress.Loopback, 1234),
        };
        var listener = new ListenerConfig { Name = "t", Address = new IPEndPoint(IPAddress.Loopback, 0) };
        return (new ClientConnection(context, listener, snapshot.RequestLimits), fromClient, snapshot);
    }

    [Fact]
    public async Task A_stray_cancel_is_ignored_and_the_buffered_head_is_still_parsed()
    {
        var (connection, client, snapshot) = Create();
        await client.Writer.WriteAsync("GET /a HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());
        connection.Input.CancelPendingRead();   // e.g. a StopBody left over from the previous request

        var outcome = await RequestHeadReader.ReadAsync(connection, snapshot);

        Assert.Equal(HeadReadOutcome.Ok, outcome);
        Assert.Equal("/a"u8.ToArray(), connection.Head.Path.ToArray());
    }

    [Fact]
    public async Task A_stray_cancel_while_idle_keeps_waiting_for_the_next_request()
    {
        var (connection, client, snapshot) = Create();
        var reading = RequestHeadReader.ReadAsync(connection, snapshot).AsTask();
        connection.Input.CancelPendingRead();
        await Task.Delay(50);
        Assert.False(reading.IsCompleted);
        await client.Writer.WriteAsync("GET /b HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());
        Assert.Equal(HeadReadOutcome.Ok, await reading.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("/b"u8.ToArray(), connection.Head.Path.ToArray());
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;
        public PipeWriter Output { get; } = output;
    }
}
