namespace EdgeServer.Protocol.Tests.Http1;

/// <summary>Builds multi-segment sequences, so every parser is fed the ways a socket can split bytes.</summary>
internal static class Sequences
{
    public static byte[] Bytes(string latin1) => Encoding.Latin1.GetBytes(latin1);

    public static ReadOnlySequence<byte> Single(byte[] data) => new(data);

    /// <summary>One segment per part; empty parts are kept (real pipes can hold empty segments).</summary>
    public static ReadOnlySequence<byte> FromParts(params byte[][] parts)
    {
        if (parts.Length == 1) return new ReadOnlySequence<byte>(parts[0]);
        var first = new Segment(parts[0], 0);
        var last = first;
        for (var i = 1; i < parts.Length; i++) last = last.Append(parts[i]);
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    public static ReadOnlySequence<byte> SplitAt(byte[] data, int cut) => FromParts(data[..cut], data[cut..]);

    public static ReadOnlySequence<byte> OneBytePerSegment(byte[] data)
    {
        if (data.Length == 0) return ReadOnlySequence<byte>.Empty;
        var parts = new byte[data.Length][];
        for (var i = 0; i < data.Length; i++) parts[i] = [data[i]];
        return FromParts(parts);
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
