using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using EdgeServer.Protocol.Http1;

namespace EdgeServer.Benchmarks.Protocol;

/// <summary>Chunked-body validation: many small chunks (size lines dominate) and a few large ones (bulk skip).</summary>
[MemoryDiagnoser]
public class ChunkedBodyDecoderBenchmark
{
    private ReadOnlySequence<byte> _smallChunks, _largeChunks, _largeChunksSegmented;

    [GlobalSetup]
    public void Setup()
    {
        _smallChunks = new ReadOnlySequence<byte>(Build(chunkSize: 64, chunks: 256));        // 16 KiB of data
        var large = Build(chunkSize: 16 * 1024, chunks: 16);                                  // 256 KiB of data
        _largeChunks = new ReadOnlySequence<byte>(large);
        _largeChunksSegmented = BenchmarkSequences.Split(large, 4096);                         // pipe-sized segments
        if (Decode(_largeChunksSegmented) != large.Length) throw new InvalidOperationException("benchmark input does not decode");
    }

    [Benchmark(Baseline = true)]
    public long SmallChunks256x64B() => Decode(_smallChunks);

    [Benchmark]
    public long LargeChunks16x16KiB() => Decode(_largeChunks);

    [Benchmark]
    public long LargeChunks16x16KiBSegments4KiB() => Decode(_largeChunksSegmented);

    private static long Decode(in ReadOnlySequence<byte> input)
    {
        var decoder = new ChunkedBodyDecoder();
        decoder.Process(input, long.MaxValue, out var consumed);
        return consumed;
    }

    private static byte[] Build(int chunkSize, int chunks)
    {
        var sb = new StringBuilder();
        var data = new string('x', chunkSize);
        for (var i = 0; i < chunks; i++) sb.Append($"{chunkSize:x}\r\n{data}\r\n");
        sb.Append("0\r\n\r\n");
        return Encoding.ASCII.GetBytes(sb.ToString());
    }
}
