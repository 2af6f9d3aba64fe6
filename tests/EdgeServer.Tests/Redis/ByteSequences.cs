using System.Buffers;

namespace EdgeServer.Tests.Redis;

/// <summary>Multi-segment sequences, so the reply parser is fed every way a socket can split bytes.</summary>
internal static class ByteSequences
{
    public static ReadOnlySequence<byte> SplitAt(byte[] data, int cut) => FromParts(data[..cut], data[cut..]);

    public static ReadOnlySequence<byte> OneBytePerSegment(byte[] data)
    {
        var parts = new byte[data.Length][];
        for (var i = 0; i < data.Length; i++) parts[i] = [data[i]];
        return FromParts(parts);
    }

    public static ReadOnlySequence<byte> FromParts(params byte[][] parts)
    {
        if (parts.Length == 0) return ReadOnlySequence<byte>.Empty;
        var first = new Segment(parts[0], 0);
        var last = first;
        for (var i = 1; i < parts.Length; i++) last = last.Append(parts[i]);
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> next)
        {
            var segment = new Segment(next, RunningIndex + Memory.Length);
            Next = segment;
            return segment;
        }
    }
}
