using System.Buffers;
using BenchmarkDotNet.Attributes;
using EdgeServer.Protocol.WebSockets;

namespace EdgeServer.Benchmarks.Protocol;

/// <summary>
/// The relay's per-direction cost: inspecting a read's worth of client frames (masked) before forwarding them.
/// Small text frames (header and UTF-8 work dominate), 64 KiB binary frames (the payload is skipped), and 64 KiB
/// text frames (unmasked 512 B at a time for UTF-8 validation). Mean is per frame (OperationsPerInvoke).
/// </summary>
[MemoryDiagnoser]
public class WebSocketFrameInspectorBenchmark
{
    private const int SmallFrames = 1024;
    private const int LargeFrames = 16;

    private ReadOnlySequence<byte> _smallText, _smallTextSegmented, _largeBinary, _largeText;

    [GlobalSetup]
    public void Setup()
    {
        var small = Build(WebSocketOpcode.Text, payloadBytes: 32, SmallFrames);                 // 38 B per frame on the wire
        _smallText = new ReadOnlySequence<byte>(small);
        _smallTextSegmented = BenchmarkSequences.Split(small, 4096);                              // pipe-sized segments
        _largeBinary = BenchmarkSequences.Split(Build(WebSocketOpcode.Binary, 64 * 1024, LargeFrames), 4096);
        _largeText = BenchmarkSequences.Split(Build(WebSocketOpcode.Text, 64 * 1024, LargeFrames), 4096);
        foreach (var input in new[] { _smallText, _smallTextSegmented, _largeBinary, _largeText })
        {
            if (Inspect(input) != input.Length) throw new InvalidOperationException("benchmark input is not accepted whole");
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = SmallFrames)]
    public long MaskedText32B() => Inspect(_smallText);

    [Benchmark(OperationsPerInvoke = SmallFrames)]
    public long MaskedText32BSegments4KiB() => Inspect(_smallTextSegmented);

    [Benchmark(OperationsPerInvoke = LargeFrames)]
    public long MaskedBinary64KiBSegments4KiB() => Inspect(_largeBinary);

    [Benchmark(OperationsPerInvoke = LargeFrames)]
    public long MaskedText64KiBSegments4KiB() => Inspect(_largeText);

    private long _messages; // kept so the events' work is observable

    private long Inspect(in ReadOnlySequence<byte> input)
    {
        var inspector = new WebSocketFrameInspector(WebSocketInspectorOptions.FromClient);
        var events = new MessageCounter();
        inspector.Inspect(input, ref events, out var consumed);
        _messages += events.Messages;
        return consumed;
    }

    /// <summary>What a relay's events do: count messages (for a rate limit) and bytes (for metrics).</summary>
    private struct MessageCounter : IWebSocketFrameEvents
    {
        public long Messages, Bytes;

        public static bool WantsPayload => false;

        public bool OnFrameStart(in WebSocketFrameHeader header, long frameOffset)
        {
            Bytes += header.FrameLength;
            return true;
        }

        public readonly void OnPayload(ReadOnlySpan<byte> payload) { }

        public bool OnMessageEnd(WebSocketOpcode messageType, long messageBytes, bool compressed)
        {
            Messages++;
            return true;
        }

        public readonly bool OnControlFrame(WebSocketOpcode opcode, ReadOnlySpan<byte> payload, ushort closeCode) => true;
    }

    private static byte[] Build(WebSocketOpcode opcode, int payloadBytes, int frames)
    {
        var payload = new byte[payloadBytes];
        for (var i = 0; i < payload.Length; i++) payload[i] = (byte)('a' + i % 26);
        var writer = new ArrayBufferWriter<byte>();
        var random = new Random(42);
        for (var i = 0; i < frames; i++) WebSocketFrameWriter.WriteFrame(writer, opcode, true, payload, WebSocketMask.WithKey((uint)random.Next()));
        return writer.WrittenSpan.ToArray();
    }
}
