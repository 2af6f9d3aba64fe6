using System.Buffers;
namespace EdgeServer.Benchmarks.Protocol;

/// <summary>Multi-segment sequences for the parser benchmarks, built once in setup.</summary>
internal static class BenchmarkSequences
{
    public static ReadOnlySequence<byte> Split(byte[] data, int segmentLength)
    {
        Segment? first = null, last = null;
        for (var offset = 0; offset < data.Length; offset += segmentLength)
        {
            var memory = data.AsMemory(offset, Math.Min(segmentLength, data.Length - offset));
            if (first is null) first = last = new Segment(memory, 0);
            else last = last!.Append(memory);
        }
        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
