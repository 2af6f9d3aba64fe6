using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using EdgeServer.Protocol.WebSockets;

namespace EdgeServer.Protocol.Tests.WebSockets;

/// <summary>
/// Differential tests against a second implementation: .NET's own WebSocket (System.Net.WebSockets) on both ends
/// of real loopback connections, with our inspectors relaying between them, and our writers talking to it directly.
/// </summary>
public class DotNetWebSocketInteropTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private sealed record Sent(WebSocketMessageType Type, byte[] Data);

    private static async Task<(Socket, Socket)> ConnectedPairAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var accept = listener.AcceptSocketAsync();
        await client.ConnectAsync((IPEndPoint)listener.LocalEndpoint);
        var server = await accept;
        server.NoDelay = true;
        return (client, server);
    }

    private static WebSocket Create(Stream stream, bool isServer, bool deflate) => WebSocket.CreateFromStream(stream, new WebSocketCreationOptions
    {
        IsServer = isServer,
        KeepAliveInterval = TimeSpan.FromMilliseconds(2), // pings and pongs between fragments
        KeepAliveTimeout = TimeSpan.FromSeconds(20),
        DangerousDeflateOptions = deflate ? new WebSocketDeflateOptions() : null,
    });

    private static async Task<(WebSocketMessageType Type, byte[] Data, WebSocketReceiveResult Last)> ReceiveMessageAsync(WebSocket socket)
    {
        var buffer = new byte[8192];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(Timeout);
            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage || result.MessageType == WebSocketMessageType.Close) return (result.MessageType, message.ToArray(), result);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Relayed_dotnet_traffic_is_accepted_with_the_same_message_boundaries(bool deflate)
    {
        var (clientSide, relayFront) = await ConnectedPairAsync();
        var (relayBack, serverSide) = await ConnectedPairAsync();
        using var clientStream = new NetworkStream(clientSide, ownsSocket: true);
        using var frontStream = new NetworkStream(relayFront, ownsSocket: true);
        using var backStream = new NetworkStream(relayBack, ownsSocket: true);
        using var serverStream = new NetworkStream(serverSide, ownsSocket: true);
        var upstream = new InspectingRelay(WebSocketInspectorOptions.FromClient with { PerMessageDeflate = deflate });
        var downstream = new InspectingRelay(WebSocketInspectorOptions.FromServer with { PerMessageDeflate = deflate });
        var pumps = Task.WhenAll(upstream.PumpAsync(frontStream, backStream), downstream.PumpAsync(backStream, frontStream));
        using var client = Create(clientStream, isServer: false, deflate);
        using var server = Create(serverStream, isServer: true, deflate);

        var random = new Random(deflate ? 7692 : 6455);
        var sent = new List<Sent>();
        for (var i = 0; i < 40; i++)
        {
            var type = random.Next(2) == 0 ? WebSocketMessageType.Text : WebSocketMessageType.Binary;
            var data = type == WebSocketMessageType.Text
                ? Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, random.Next(0, 3000)).Select(_ => "aé€😀"[random.Next(4)..][..1] + (random.Next(9) == 0 ? "😀" : ""))))
                : RandomBytes(random, random.Next(0, 70000));
            sent.Add(new Sent(type, data));
        }

        var echo = Task.Run(async () =>
        {
            while (true)
            {
                var (type, data, last) = await ReceiveMessageAsync(server);
                if (type == WebSocketMessageType.Close)
                {
                    await server.CloseOutputAsync(last.CloseStatus!.Value, last.CloseStatusDescription, CancellationToken.None);
                    return (last.CloseStatus.Value, last.CloseStatusDescription);
                }
                await server.SendAsync(data, type, endOfMessage: true, CancellationToken.None);
            }
        });

        foreach (var message in sent)
        {
            // Fragment at random points, cutting code points too: .NET sends whatever bytes it is given per frame.
            var offset = 0;
            while (true)
            {
                var piece = Math.Min(message.Data.Length - offset, random.Next(0, 20000));
                var last = offset + piece == message.Data.Length && random.Next(3) != 0;
                await client.SendAsync(message.Data.AsMemory(offset, piece), message.Type, last, CancellationToken.None);
                offset += piece;
                if (last) break;
            }
            var (type, data, _) = await ReceiveMessageAsync(client);
            Assert.Equal(message.Type, type);
            Assert.Equal(message.Data, data);
        }
        await client.CloseAsync((WebSocketCloseStatus)4001, "bye ✓", CancellationToken.None).WaitAsync(Timeout);
        Assert.Equal(((WebSocketCloseStatus)4001, "bye ✓"), await echo.WaitAsync(Timeout));

        Assert.Equal(WebSocketViolation.None, upstream.Violation);
        Assert.Equal(WebSocketViolation.None, downstream.Violation);
        foreach (var (relay, masked) in new[] { (upstream, true), (downstream, false) })
        {
            var events = relay.Snapshot();
            var messages = events.Where(e => e.StartsWith("message ", StringComparison.Ordinal)).ToArray();
            Assert.Equal(sent.Count, messages.Length);
            for (var i = 0; i < sent.Count; i++)
            {
                var kind = sent[i].Type == WebSocketMessageType.Text ? "Text" : "Binary";
                // Compressed lengths are the wire's; uncompressed they are the message's.
                var expected = deflate ? $"message {kind} " : $"message {kind} {sent[i].Data.Length} compressed=False";
                Assert.StartsWith(expected, messages[i]);
            }
            Assert.Contains("close 4001 'bye ✓'", events);
        }
        Assert.Contains(upstream.Snapshot().Concat(downstream.Snapshot()), e => e.StartsWith("Ping", StringComparison.Ordinal) || e.StartsWith("Pong", StringComparison.Ordinal));
        // .NET closes its streams after the close handshake; the relay's reads then end.
        clientStream.Dispose();
        serverStream.Dispose();
        await pumps.WaitAsync(Timeout);
    }

    [Fact]
    public async Task Frames_from_our_writers_are_accepted_by_a_dotnet_server()
    {
        var (edgeSide, serverSide) = await ConnectedPairAsync();
        using var edge = new NetworkStream(edgeSide, ownsSocket: true);
        using var serverStream = new NetworkStream(serverSide, ownsSocket: true);
        using var server = WebSocket.CreateFromStream(serverStream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });

        var frames = new ArrayBufferWriter<byte>();
        var big = RandomBytes(new Random(1), 70000);
        WebSocketFrameWriter.WriteText(frames, "Hel"u8, WebSocketMask.Random(), endOfMessage: false);
        WebSocketFrameWriter.WritePing(frames, "ping!"u8, WebSocketMask.Random());
        WebSocketFrameWriter.WriteFrame(frames, WebSocketOpcode.Continuation, true, "lo ✓"u8, WebSocketMask.Random());
        WebSocketFrameWriter.WriteBinary(frames, big, WebSocketMask.Random());
        WebSocketFrameWriter.WriteClose(frames, WebSocketCloseCodes.GoingAway, "shutting down"u8, WebSocketMask.Random());
        await edge.WriteAsync(frames.WrittenMemory);

        var text = await ReceiveMessageAsync(server);
        Assert.Equal((WebSocketMessageType.Text, "Hello ✓"), (text.Type, Encoding.UTF8.GetString(text.Data)));
        var binary = await ReceiveMessageAsync(server);
        Assert.Equal(big, binary.Data);
        var close = await ReceiveMessageAsync(server);
        Assert.Equal(WebSocketMessageType.Close, close.Type);
        Assert.Equal((WebSocketCloseStatus.EndpointUnavailable, "shutting down"), (close.Last.CloseStatus, close.Last.CloseStatusDescription));
        await server.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "ok", CancellationToken.None);

        // What the .NET server answered (a pong to our ping, its close) passes our server-side inspector.
        var answer = new byte[256];
        var length = 0;
        var inspector = new WebSocketFrameInspector(WebSocketInspectorOptions.FromServer);
        var events = new EventLog();
        while (true)
        {
            var read = await edge.ReadAsync(answer.AsMemory(length)).AsTask().WaitAsync(Timeout);
            Assert.NotEqual(0, read);
            length += read;
            var status = inspector.Inspect(answer.AsMemory(0, length), ref events, out var consumed);
            Assert.NotEqual(WebSocketInspectStatus.Violation, status);
            if (status == WebSocketInspectStatus.Closed) break;
            answer.AsSpan((int)consumed, length - (int)consumed).CopyTo(answer);
            length -= (int)consumed;
        }
        Assert.Equal(["frame Pong fin=True rsv=0 len=5 at=0", "Pong 'ping!'", "frame Close fin=True rsv=0 len=4 at=7", "close 1000 'ok'"], events.Lines);
    }

    [Fact]
    public async Task Our_server_frames_and_message_reader_work_with_a_dotnet_client()
    {
        var (clientSide, edgeSide) = await ConnectedPairAsync();
        using var clientStream = new NetworkStream(clientSide, ownsSocket: true);
        using var edge = new NetworkStream(edgeSide, ownsSocket: true);
        using var client = WebSocket.CreateFromStream(clientStream, new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = TimeSpan.Zero });

        await client.SendAsync("frag"u8.ToArray(), WebSocketMessageType.Text, endOfMessage: false, CancellationToken.None);
        await client.SendAsync("mented"u8.ToArray(), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

        var reader = new WebSocketMessageReader(WebSocketInspectorOptions.FromClient);
        var message = new ArrayBufferWriter<byte>();
        var buffer = new byte[256];
        var length = 0;
        while (true)
        {
            length += await edge.ReadAsync(buffer.AsMemory(length)).AsTask().WaitAsync(Timeout);
            var status = reader.Read(new ReadOnlySequence<byte>(buffer, 0, length), message, out var consumed);
            buffer.AsSpan((int)consumed, length - (int)consumed).CopyTo(buffer);
            length -= (int)consumed;
            if (status == WebSocketReadStatus.Message) break;
            Assert.Equal(WebSocketReadStatus.NeedMoreData, status);
        }
        Assert.Equal("fragmented", Encoding.UTF8.GetString(message.WrittenSpan));

        var reply = new ArrayBufferWriter<byte>();
        WebSocketFrameWriter.WriteText(reply, "echo: fragmented"u8, WebSocketMask.None);
        WebSocketFrameWriter.WriteClose(reply, WebSocketCloseCodes.MessageTooBig, "limit"u8, WebSocketMask.None);
        await edge.WriteAsync(reply.WrittenMemory);
        var echoed = await ReceiveMessageAsync(client);
        Assert.Equal("echo: fragmented", Encoding.UTF8.GetString(echoed.Data));
        var close = await ReceiveMessageAsync(client);
        Assert.Equal((WebSocketCloseStatus.MessageTooBig, "limit"), (close.Last.CloseStatus, close.Last.CloseStatusDescription));
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var data = new byte[length];
        random.NextBytes(data);
        return data;
    }
}
