namespace EdgeServer.Geo;

/// <summary>
/// One decoded control byte: the value's type, its size (bytes for scalars, entries for maps and arrays, the value
/// itself for booleans), where its payload starts and, for scalars and pointers, where the next value starts.
/// For a pointer, <see cref="Payload"/> is the target offset in the section.
/// </summary>
internal readonly struct DataHeader(MmdbType type, int size, int payload, int end, int start)
{
    public MmdbType Type { get; } = type;
    public int Size { get; } = size;
    public int Payload { get; } = payload;
    /// <summary>The offset just past this value; -1 for maps and arrays, whose end is known only after walking them.</summary>
    public int End { get; } = end;
    /// <summary>The offset of the control byte: where a decoder can start over on this value.</summary>
    public int Start { get; } = start;
}
