using System.Text;
using System.Text.Unicode;

namespace EdgeServer.Geo;

/// <summary>
/// Decodes a value of the data section into .NET objects: map -> Dictionary&lt;string, object?&gt;, array ->
/// List&lt;object?&gt;, string -> string, double, float, bytes -> byte[], uint16 -> ushort, uint32 -> uint,
/// int32 -> int, uint64 -> ulong, uint128 -> UInt128, boolean -> bool.
/// </summary>
/// <remarks>
/// Pointers let a small file describe a huge value (a map whose entries all point at one big map, nested), so
/// besides the depth bound a decode has a budget of values; a file that exceeds it is refused as corrupt.
/// </remarks>
internal ref struct DataDecoder(DataSection section)
{
    /// <summary>Values one decode may produce. A GeoIP2 City record has a few hundred.</summary>
    public const int MaxValues = 1_000_000;

    private readonly DataSection _section = section;
    private int _budget = MaxValues;

    public object? Decode(int offset) => Decode(offset, 0, out _);

    private object? Decode(int offset, int depth, out int next)
    {
        var header = _section.Resolve(offset, out next);
        if (--_budget < 0) _section.Fail(offset, $"record expands to more than {MaxValues} values");
        switch (header.Type)
        {
            case MmdbType.Map:
            {
                CheckDepth(offset, depth);
                var map = new Dictionary<string, object?>(Math.Min(header.Size, 64), StringComparer.Ordinal);
                int o = header.Payload;
                for (int i = 0; i < header.Size; i++)
                {
                    string key = DecodeKey(o, out o);
                    map[key] = Decode(o, depth + 1, out o);
                }
                if (next < 0) next = o;
                return map;
            }
            case MmdbType.Array:
            {
                CheckDepth(offset, depth);
                var list = new List<object?>(Math.Min(header.Size, 64));
                int o = header.Payload;
                for (int i = 0; i < header.Size; i++) list.Add(Decode(o, depth + 1, out o));
                if (next < 0) next = o;
                return list;
            }
            default:
                return DecodeScalar(header);
        }
    }

    private readonly object DecodeScalar(DataHeader h) => h.Type switch
    {
        MmdbType.Utf8String => DecodeString(h),
        MmdbType.Double => _section.ReadDouble(h.Payload),
        MmdbType.Float => _section.ReadFloat(h.Payload),
        MmdbType.Bytes => _section.Slice(h.Payload, h.Size).ToArray(),
        MmdbType.Uint16 => (ushort)_section.ReadUnsigned(h.Payload, h.Size),
        MmdbType.Uint32 => (uint)_section.ReadUnsigned(h.Payload, h.Size),
        // As libmaxminddb: the bytes are the low end of a 32-bit two's complement value (short forms are not sign-extended).
        MmdbType.Int32 => unchecked((int)(uint)_section.ReadUnsigned(h.Payload, h.Size)),
        MmdbType.Uint64 => _section.ReadUnsigned(h.Payload, h.Size),
        MmdbType.Uint128 => _section.ReadUInt128(h.Payload, h.Size),
        MmdbType.Boolean => h.Size == 1,
        _ => throw new InvalidOperationException($"unexpected type {h.Type}"), // ReadHeader admits no other type
    };

    private readonly string DecodeKey(int offset, out int next)
    {
        var header = _section.Resolve(offset, out next);
        if (header.Type != MmdbType.Utf8String) _section.Fail(offset, $"map key is a {DataSection.Name(header.Type)}, not a string");
        return DecodeString(header);
    }

    private readonly string DecodeString(DataHeader h)
    {
        var utf8 = _section.Slice(h.Payload, h.Size);
        if (!Utf8.IsValid(utf8)) _section.Fail(h.Payload, "string is not valid UTF-8");
        return Encoding.UTF8.GetString(utf8);
    }

    private readonly void CheckDepth(int offset, int depth)
    {
        if (depth >= DataSection.MaxDepth) _section.Fail(offset, $"maps and arrays nested deeper than {DataSection.MaxDepth} levels (a pointer cycle?)");
    }
}
