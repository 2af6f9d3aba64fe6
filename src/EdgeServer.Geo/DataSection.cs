using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace EdgeServer.Geo;

/// <summary>
/// Bounds-checked reading of control bytes, pointers and scalar payloads in one section (the data section, or the
/// metadata, whose pointers are relative to its own start). Every offset is checked against the section before it
/// is read, so a corrupt file ends in a <see cref="MaxMindDatabaseException"/>, never a read outside the mapping.
/// </summary>
internal readonly ref struct DataSection(ReadOnlySpan<byte> bytes, string source)
{
    /// <summary>
    /// Deepest nesting of maps and arrays a record may have. GeoIP2 records nest about four levels; libmaxminddb
    /// stops at 512. A pointer cycle (a map that points back at itself) also ends here instead of recursing forever.
    /// </summary>
    public const int MaxDepth = 512;

    private readonly ReadOnlySpan<byte> _bytes = bytes;

    /// <summary>The file and section, for error messages.</summary>
    public string Source { get; } = source;

    public int Length => _bytes.Length;

    public ReadOnlySpan<byte> Slice(int start, int length) => _bytes.Slice(start, length);

    /// <summary>Reads the control byte(s) at <paramref name="offset"/> and checks the size against the type and the section.</summary>
    public DataHeader ReadHeader(int offset)
    {
        if ((uint)offset >= (uint)_bytes.Length) Fail(offset, "value starts past the end of the section");
        int ctrl = _bytes[offset];
        int o = offset + 1;
        var type = (MmdbType)(ctrl >> 5);
        if (type == MmdbType.Pointer) return ReadPointer(ctrl, offset, o);
        if (type == MmdbType.Extended)
        {
            if (o >= _bytes.Length) Fail(offset, "extended type byte past the end of the section");
            int extended = _bytes[o++] + 7;
            if (extended is < 8 or > 15) Fail(offset, $"invalid extended type {extended}");
            type = (MmdbType)extended;
        }

        int size = ctrl & 0x1f;
        if (size >= 29)
        {
            int n = size - 28;
            if (o + n > _bytes.Length) Fail(offset, "size bytes past the end of the section");
            int extra = (int)ReadUnsigned(o, n);
            size = n switch { 1 => 29 + extra, 2 => 285 + extra, _ => 65_821 + extra };
            o += n;
        }

        switch (type)
        {
            case MmdbType.Map:
            case MmdbType.Array:
                // Each entry takes at least one byte: a count beyond the section is corrupt, and checking it here
                // keeps a decoder from sizing a collection after it.
                if (size > _bytes.Length - o) Fail(offset, $"{Name(type)} claims {size} entries, more than the section holds");
                return new DataHeader(type, size, o, -1, offset);
            case MmdbType.Boolean:
                if (size > 1) Fail(offset, $"boolean of size {size}");
                return new DataHeader(type, size, o, o, offset);
            case MmdbType.DataCacheContainer:
            case MmdbType.EndMarker:
                Fail(offset, $"{Name(type)} is not valid inside a record");
                break;
            case MmdbType.Double when size != 8:
            case MmdbType.Float when size != 4:
            case MmdbType.Uint16 when size > 2:
            case MmdbType.Uint32 when size > 4:
            case MmdbType.Int32 when size > 4:
            case MmdbType.Uint64 when size > 8:
            case MmdbType.Uint128 when size > 16:
                Fail(offset, $"{Name(type)} of size {size}");
                break;
        }
        if (size > _bytes.Length - o) Fail(offset, $"{Name(type)} of {size} bytes runs past the end of the section");
        return new DataHeader(type, size, o, o + size, offset);
    }

    /// <summary>
    /// Reads the value at <paramref name="offset"/>, following a pointer if there is one. <paramref name="next"/> is
    /// where the following value of the container starts: after the pointer, or after a scalar; -1 when the value
    /// is an inline map or array (the caller walks it to find its end).
    /// </summary>
    public DataHeader Resolve(int offset, out int next)
    {
        var header = ReadHeader(offset);
        if (header.Type != MmdbType.Pointer)
        {
            next = header.End;
            return header;
        }
        next = header.End;
        var target = ReadHeader(header.Payload);
        // The spec forbids pointers to pointers; refusing them also means one Resolve never chains.
        if (target.Type == MmdbType.Pointer) Fail(header.Payload, "pointer to a pointer");
        return target;
    }

    /// <summary>Returns the offset just past the value at <paramref name="offset"/> without decoding it.</summary>
    public int Skip(int offset, int depth)
    {
        var header = ReadHeader(offset);
        if (header.End >= 0) return header.End;
        if (depth >= MaxDepth) Fail(offset, $"maps and arrays nested deeper than {MaxDepth} levels");
        int o = header.Payload;
        int values = header.Type == MmdbType.Map ? header.Size * 2 : header.Size;
        for (int i = 0; i < values; i++) o = Skip(o, depth + 1);
        return o;
    }

    /// <summary>A big-endian unsigned integer of up to 8 bytes (bounds already checked by <see cref="ReadHeader"/>).</summary>
    public ulong ReadUnsigned(int start, int length)
    {
        ulong value = 0;
        foreach (byte b in _bytes.Slice(start, length)) value = (value << 8) | b;
        return value;
    }

    public UInt128 ReadUInt128(int start, int length)
    {
        UInt128 value = 0;
        foreach (byte b in _bytes.Slice(start, length)) value = (value << 8) | b;
        return value;
    }

    public double ReadDouble(int start) => BinaryPrimitives.ReadDoubleBigEndian(_bytes.Slice(start, 8));

    public float ReadFloat(int start) => BinaryPrimitives.ReadSingleBigEndian(_bytes.Slice(start, 4));

    private DataHeader ReadPointer(int ctrl, int offset, int o)
    {
        // Pointer sizes are the two bits after the type; the low three bits are the value's top bits (unused by
        // 32-bit pointers). Each size starts where the previous one's range ended (spec: "Pointer - 1").
        int sizeBits = (ctrl >> 3) & 0x3;
        int n = sizeBits + 1;
        if (o + n > _bytes.Length) Fail(offset, "pointer runs past the end of the section");
        long raw = (long)ReadUnsigned(o, n);
        long target = sizeBits switch
        {
            0 => ((long)(ctrl & 0x7) << 8) | raw,
            1 => (((long)(ctrl & 0x7) << 16) | raw) + 2_048,
            2 => (((long)(ctrl & 0x7) << 24) | raw) + 526_336,
            _ => raw,
        };
        if (target >= _bytes.Length) Fail(offset, $"pointer to {target}, past the end of the section ({_bytes.Length} bytes)");
        return new DataHeader(MmdbType.Pointer, 0, (int)target, o + n, offset);
    }

    public static string Name(MmdbType type) => type switch
    {
        MmdbType.Utf8String => "string",
        MmdbType.DataCacheContainer => "data cache container",
        MmdbType.EndMarker => "end marker",
        _ => type.ToString().ToLowerInvariant(),
    };

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public void Fail(int offset, string what) =>
        throw new MaxMindDatabaseException($"{Source} at offset {offset}: {what}");
}
