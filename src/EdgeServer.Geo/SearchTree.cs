using System.Buffers.Binary;

namespace EdgeServer.Geo;

/// <summary>
/// The binary search tree at the start of the file: node_count nodes of two records (left: bit 0, right: bit 1).
/// A record below node_count is the next node, node_count itself means "no data", and anything above is a data
/// section offset plus node_count plus 16 (the separator).
/// </summary>
internal readonly ref struct SearchTree(ReadOnlySpan<byte> bytes, uint nodeCount, int recordSize)
{
    private readonly ReadOnlySpan<byte> _bytes = bytes;

    public uint NodeCount { get; } = nodeCount;

    /// <summary>
    /// Follows <paramref name="bits"/> bits of <paramref name="address"/> from <paramref name="node"/> until the walk
    /// leaves the tree. Returns the record reached and, in <paramref name="depth"/>, the bits consumed. The walk is
    /// bounded by the address length, so a tree with cycles cannot loop; one still inside the tree after the last
    /// bit is corrupt (returns false).
    /// </summary>
    public bool TryWalk(ReadOnlySpan<byte> address, uint node, out uint record, out int depth)
    {
        int bits = address.Length * 8;
        int i = 0;
        for (; i < bits && node < NodeCount; i++)
        {
            int bit = (address[i >> 3] >> (7 - (i & 7))) & 1;
            node = Record(node, bit);
        }
        record = node;
        depth = i;
        return node >= NodeCount;
    }

    /// <summary>The record of <paramref name="node"/> for <paramref name="bit"/>; the caller guarantees node &lt; node_count.</summary>
    public uint Record(uint node, int bit)
    {
        switch (recordSize)
        {
            case 24:
            {
                var r = _bytes.Slice((int)(node * 6) + bit * 3, 3);
                return (uint)(r[0] << 16 | r[1] << 8 | r[2]);
            }
            case 28:
            {
                var n = _bytes.Slice((int)(node * 7), 7);
                // The middle byte holds the top four bits of both records: high nibble left, low nibble right.
                return bit == 0
                    ? (uint)((n[3] & 0xf0) << 20 | n[0] << 16 | n[1] << 8 | n[2])
                    : (uint)((n[3] & 0x0f) << 24 | n[4] << 16 | n[5] << 8 | n[6]);
            }
            default:
                return BinaryPrimitives.ReadUInt32BigEndian(_bytes.Slice((int)(node * 8) + bit * 4, 4));
        }
    }

    /// <summary>
    /// Checks every record once, at open: each names a node, "no data", or a place inside the data section. After
    /// this, a lookup's data offset needs no further tree check, and a bad file is refused before it is swapped in.
    /// </summary>
    public void Validate(long dataSectionLength, string source)
    {
        for (uint node = 0; node < NodeCount; node++)
        {
            for (int bit = 0; bit < 2; bit++)
            {
                uint record = Record(node, bit);
                if (record <= NodeCount) continue;
                long offset = (long)record - NodeCount - 16;
                if (offset < 0 || offset >= dataSectionLength)
                {
                    throw new MaxMindDatabaseException(
                        $"{source}: search tree node {node} {(bit == 0 ? "left" : "right")} record {record} points " +
                        (offset < 0 ? "into the data section separator" : $"past the data section ({dataSectionLength} bytes)"));
                }
            }
        }
    }
}
