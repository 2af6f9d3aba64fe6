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
    /// Checks the tree once, at open: every record names a node, "no data", or a place inside the data section, and
    /// the nodes reachable from the root form no cycle and no path longer than the address (32 or 128 bits).
    /// After this a lookup needs no further tree check, and a bad file is refused before it is swapped in.
    /// </summary>
    public void Validate(long dataSectionLength, int addressBits, string source)
    {
        for (uint node = 0; node < NodeCount; node++)
        {
            for (int bit = 0; bit < 2; bit++)
            {
                uint record = Record(node, bit);
                // Nothing may lead to the root, reachable or not: such a record is a cycle waiting for a walker.
                if (record == 0) throw new MaxMindDatabaseException($"{source}: corrupt search tree: node {node} {Side(bit)} record points back at the root");
                if (record <= NodeCount) continue;
                long offset = (long)record - NodeCount - 16;
                if (offset < 0 || offset >= dataSectionLength)
                {
                    throw new MaxMindDatabaseException(
                        $"{source}: search tree node {node} {Side(bit)} record {record} points " +
                        (offset < 0 ? "into the data section separator" : $"past the data section ({dataSectionLength} bytes)"));
                }
            }
        }
        CheckShape(addressBits, source);
    }

    /// <summary>
    /// Depth-first walk from the root. Subtrees may be shared (GeoIP2 files alias ::ffff:0:0/96 to the IPv4 subtree),
    /// so a node is visited once; a record leading back to a node still on the path is a cycle.
    /// </summary>
    private void CheckShape(int addressBits, string source)
    {
        const byte Unvisited = 0, OnPath = 255;
        var state = new byte[NodeCount]; // Unvisited, OnPath, or 1 + the node's height
        Span<uint> path = stackalloc uint[addressBits + 1];
        Span<byte> nextBit = stackalloc byte[addressBits + 1];
        int depth = 0;
        path[0] = 0;
        nextBit[0] = 0;
        state[0] = OnPath;
        depth = 1;
        while (depth > 0)
        {
            uint node = path[depth - 1];
            if (nextBit[depth - 1] == 2)
            {
                int height = 0;
                for (int bit = 0; bit < 2; bit++)
                {
                    uint child = Record(node, bit);
                    if (child < NodeCount) height = Math.Max(height, state[child] - 1);
                }
                state[node] = (byte)(height + 2);
                depth--;
                continue;
            }
            int b = nextBit[depth - 1]++;
            uint record = Record(node, b);
            if (record >= NodeCount || state[record] != Unvisited)
            {
                if (record < NodeCount && state[record] == OnPath)
                    throw new MaxMindDatabaseException($"{source}: corrupt search tree: node {node} {Side(b)} record leads back to node {record} (a cycle)");
                continue;
            }
            if (depth == addressBits)
                throw new MaxMindDatabaseException($"{source}: corrupt search tree: a path from the root is longer than {addressBits} bits");
            state[record] = OnPath;
            path[depth] = record;
            nextBit[depth] = 0;
            depth++;
        }
        if (state[0] - 1 > addressBits)
            throw new MaxMindDatabaseException($"{source}: corrupt search tree: a path from the root is longer than {addressBits} bits");
    }

    private static string Side(int bit) => bit == 0 ? "left" : "right";
}
