using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using EdgeServer.Protocol.WebSockets;
using EdgeServer.WebSocketApi;

namespace EdgeServer.Benchmarks.WebSocketApi;

/// <summary>
/// What a WebSocket API connection does with each client message before the integration call: read and unmask
/// the frame into the pooled message buffer (WebSocketMessageReader), pick the route key from the JSON
/// ($request.body.action over five keys), and hand the array over and back to the pool as delivery does.
/// Mean is per message (OperationsPerInvoke).
/// </summary>
[MemoryDiagnoser]
public class ApiMessageReceiveBenchmark
{
    private const int Messages = 256;
    private static readonly byte[][] Keys = [.. new[] { "join", "leave", "typing", "sendMessage", "history" }.Select(Encoding.ASCII.GetBytes)];

    private ReadOnlySequence<byte> _frames;
    private WebSocketMessageReader _reader = null!;
    private RouteSelector _selector = null!;
    private readonly PooledMessageBuffer _buffer = new();

    [GlobalSetup]
    public void Setup()
    {
        var json = Encoding.UTF8.GetBytes("""{"id":123,"room":"general","meta":{"client":"web","v":3},"action":"sendMessage","text":"hello there, how are you today?"}""");
        var writer = new ArrayBufferWriter<byte>();
        for (var i = 0; i < Messages; i++) WebSocketFrameWriter.WriteText(writer, json, WebSocketMask.Random());
        _frames = new ReadOnlySequence<byte>(writer.WrittenMemory);
        _reader = new WebSocketMessageReader(new WebSocketInspectorOptions(WebSocketPeer.Client, PerMessageDeflate: false, ValidateUtf8: true, MaxFramePayloadBytes: 32 * 1024, MaxMessageBytes: 128 * 1024));
        RouteSelector.TryParse("$request.body.action", out var selector, out _);
        _selector = selector!;
        if (Receive() != Messages * 3) throw new InvalidOperationException("every message should select 'sendMessage'");
    }

    [Benchmark(OperationsPerInvoke = Messages)]
    public int Receive()
    {
        var input = _frames;
        var selected = 0;
        while (!input.IsEmpty)
        {
            var status = _reader.Read(input, _buffer, out var consumed);
            input = input.Slice(consumed);
            if (status != WebSocketReadStatus.Message) throw new InvalidOperationException(status.ToString());
            selected += _selector.Select(_buffer.WrittenSpan, Keys);
            var (array, _) = _buffer.Detach();
            if (array is not null) ArrayPool<byte>.Shared.Return(array);
        }
        return selected;
    }
}
