using System.Net;

namespace EdgeServer.Geo;

/// <summary>
/// A MaxMind DB (MMDB, format 2.0) file, memory-mapped and checked at open: metadata, search-tree bounds, and every
/// tree record. Lookups by IPv4 or IPv6 address; IPv4-mapped IPv6 addresses (<c>::ffff:a.b.c.d</c>, what dual-stack
/// sockets report) are looked up as IPv4, since many IPv6 databases have no data under ::ffff:0:0/96.
/// </summary>
/// <remarks>
/// <para>Decoded values: map -> Dictionary&lt;string, object?&gt;, array -> List&lt;object?&gt;, string, double, float,
/// bytes -> byte[], uint16 -> ushort, uint32 -> uint, int32 -> int, uint64 -> ulong, uint128 -> UInt128, bool.</para>
/// <para>Immutable and safe for concurrent lookups. To reload, open the new file and swap the reference; the swap
/// is the caller's job. <see cref="Dispose"/> unmaps the file: it must not run while lookups on this instance may
/// still run, nor while a span from <see cref="TryLookup(ReadOnlySpan{byte}, GeoPath, out ReadOnlySpan{byte})"/> is in
/// use. After a swap, dispose the old instance once no request can hold it (or leave it to the finalizer, which
/// unmaps when it is unreachable). Replace database files by renaming a new file over the old one, never by
/// writing in place: a mapped file truncated underneath the reader faults the process.</para>
/// </remarks>
public sealed unsafe class MaxMindDatabase : IDisposable
{
    private const int MaxMetadataSize = 128 * 1024;

    private readonly MappedFile _file;
    private readonly int _dataStart;
    private readonly int _dataLength;
    private readonly int _treeSize;
    private readonly uint _ipv4Start;
    private readonly int _ipv4StartDepth;
    private readonly string _dataSource;

    private MaxMindDatabase(string path, MappedFile file)
    {
        _file = file;
        Path = path;
        var bytes = new ReadOnlySpan<byte>(file.Pointer, file.Length);

        // The last occurrence marks the metadata: the data section may contain the marker bytes by chance.
        int searchFrom = Math.Max(0, bytes.Length - MaxMetadataSize);
        int marker = bytes[searchFrom..].LastIndexOf(MetadataMarker);
        if (marker < 0) throw new MaxMindDatabaseException($"{path}: no metadata marker in the last 128 KiB: not a MaxMind DB file");
        marker += searchFrom;

        var metadata = new DataSection(bytes[(marker + MetadataMarker.Length)..], $"{path}: metadata");
        Metadata = DatabaseMetadata.From(new DataDecoder(metadata).Decode(0), path);

        long treeSize = Metadata.SearchTreeSize;
        if (treeSize + 16 > marker)
        {
            throw new MaxMindDatabaseException(
                $"{path}: invalid metadata: node_count {Metadata.NodeCount} with {Metadata.RecordSize}-bit records needs a " +
                $"{treeSize}-byte search tree and a 16-byte separator, but only {marker} bytes precede the metadata");
        }
        _treeSize = (int)treeSize;
        _dataStart = _treeSize + 16;
        _dataLength = marker - _dataStart;
        _dataSource = $"{path}: data section";

        var tree = Tree(bytes);
        tree.Validate(_dataLength, Metadata.IPVersion == 6 ? 128 : 32, path);
        if (Metadata.IPVersion == 6)
        {
            // IPv4 lives under ::/96. Walking its 96 zero bits once saves that walk on every IPv4 lookup.
            uint node = 0;
            int depth = 0;
            for (; depth < 96 && node < Metadata.NodeCount; depth++) node = tree.Record(node, 0);
            _ipv4Start = node;
            _ipv4StartDepth = depth;
        }
    }

    /// <summary>The file this database was opened from.</summary>
    public string Path { get; }

    public DatabaseMetadata Metadata { get; }

    // \xab\xcd\xefMaxMind.com
    private static ReadOnlySpan<byte> MetadataMarker => [0xab, 0xcd, 0xef, 0x4d, 0x61, 0x78, 0x4d, 0x69, 0x6e, 0x64, 0x2e, 0x63, 0x6f, 0x6d];

    /// <summary>
    /// Maps and checks the file. Throws <see cref="MaxMindDatabaseException"/> naming the file and the fault when it
    /// is not a valid database; IO exceptions (missing file, no permission) pass through.
    /// </summary>
    public static MaxMindDatabase Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var file = MappedFile.Open(path);
        try
        {
            return new MaxMindDatabase(path, file);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>The record for <paramref name="address"/>, decoded, and the network that holds the address.</summary>
    public LookupResult Lookup(IPAddress address) => Lookup(address, null);

    /// <summary>
    /// The value at <paramref name="path"/> in the record for <paramref name="address"/> (the whole record when
    /// <paramref name="path"/> is null). Not found when there is no record or no value at the path.
    /// </summary>
    public LookupResult Lookup(IPAddress address, GeoPath? path)
    {
        Span<byte> raw = stackalloc byte[16];
        var bytes = Normalize(address, raw);
        uint record = FindRecord(bytes, out int prefix);
        var network = Network(bytes, prefix);
        if (record == Metadata.NodeCount) return new LookupResult(false, null, network, prefix);

        var section = DataSection();
        int offset = DataOffset(record);
        if (path is not null)
        {
            if (!PathWalker.TryFollow(section, offset, path, out var header)) return new LookupResult(false, null, network, prefix);
            offset = header.Start;
        }
        return new LookupResult(true, new DataDecoder(section).Decode(offset), network, prefix);
    }

    /// <summary>
    /// The country fast path: the two-letter code at <paramref name="path"/> for <paramref name="address"/>. False when
    /// there is no record, no value at the path, or the value is not two ASCII letters. Allocates nothing.
    /// </summary>
    public bool TryLookupCountry(IPAddress address, GeoPath path, out CountryCode code)
    {
        code = default;
        return TryLookup(address, path, out var utf8) && CountryCode.TryCreate(utf8, out code);
    }

    /// <inheritdoc cref="TryLookupCountry(IPAddress, GeoPath, out CountryCode)"/>
    public bool TryLookupCountry(scoped ReadOnlySpan<byte> addressBytes, GeoPath path, out CountryCode code)
    {
        code = default;
        return TryLookup(addressBytes, path, out var utf8) && CountryCode.TryCreate(utf8, out code);
    }

    /// <inheritdoc cref="TryLookup(ReadOnlySpan{byte}, GeoPath, out ReadOnlySpan{byte})"/>
    public bool TryLookup(IPAddress address, GeoPath path, out ReadOnlySpan<byte> utf8Value)
    {
        Span<byte> raw = stackalloc byte[16];
        return TryLookup(Normalize(address, raw), path, out utf8Value);
    }

    /// <summary>
    /// The string at <paramref name="path"/> for an address given as 4 or 16 network-order bytes, as UTF-8 inside the
    /// mapped file (valid until <see cref="Dispose"/>). False when there is no record, no value at the path, or the
    /// value is not a string. Allocates nothing; throws <see cref="MaxMindDatabaseException"/> only for a corrupt record.
    /// </summary>
    public bool TryLookup(scoped ReadOnlySpan<byte> addressBytes, GeoPath path, out ReadOnlySpan<byte> utf8Value)
    {
        ArgumentNullException.ThrowIfNull(path);
        utf8Value = default;
        uint record = FindRecord(addressBytes, out _);
        if (record == Metadata.NodeCount) return false;
        var section = DataSection();
        if (!PathWalker.TryFollow(section, DataOffset(record), path, out var header) || header.Type != MmdbType.Utf8String) return false;
        utf8Value = section.Slice(header.Payload, header.Size);
        return true;
    }

    public void Dispose() => _file.Dispose();

    /// <summary>
    /// Walks the tree for 4 or 16 address bytes and returns the record reached (node_count: no data) and the prefix
    /// length in bits of the address as looked up (IPv4 bits for IPv4 and IPv4-mapped addresses).
    /// </summary>
    private uint FindRecord(ReadOnlySpan<byte> address, out int prefix)
    {
        if (address.Length == 16 && IsIPv4Mapped(address)) address = address[12..];
        if (address.Length is not (4 or 16)) throw new ArgumentException($"an address has 4 or 16 bytes, not {address.Length}", nameof(address));
        if (_file.Pointer == null) throw new ObjectDisposedException(nameof(MaxMindDatabase), $"{Path} was disposed");

        uint start = 0;
        prefix = 0;
        if (address.Length == 16 && Metadata.IPVersion == 4) return Metadata.NodeCount; // an IPv4 tree holds no IPv6 network
        if (address.Length == 4 && Metadata.IPVersion == 6)
        {
            // ::/96 ended before its 96th bit: every IPv4 address shares that record.
            if (_ipv4Start >= Metadata.NodeCount) return _ipv4Start;
            start = _ipv4Start;
        }
        var tree = Tree(new ReadOnlySpan<byte>(_file.Pointer, _file.Length));
        if (!tree.TryWalk(address, start, out uint record, out prefix))
            throw new MaxMindDatabaseException($"{Path}: corrupt search tree: the walk for {new IPAddress(address)} is still inside the tree after the last bit");
        return record;
    }

    private SearchTree Tree(ReadOnlySpan<byte> bytes) => new(bytes[.._treeSize], Metadata.NodeCount, Metadata.RecordSize);

    private DataSection DataSection() => new(new ReadOnlySpan<byte>(_file.Pointer + _dataStart, _dataLength), _dataSource);

    // The tree validation at open guarantees this lands inside the data section.
    private int DataOffset(uint record) => (int)(record - Metadata.NodeCount - 16);

    private static bool IsIPv4Mapped(ReadOnlySpan<byte> a) =>
        a[..10].IndexOfAnyExcept((byte)0) < 0 && a[10] == 0xff && a[11] == 0xff;

    private static ReadOnlySpan<byte> Normalize(IPAddress address, Span<byte> buffer)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!address.TryWriteBytes(buffer, out int written)) throw new ArgumentException("not an IPv4 or IPv6 address", nameof(address));
        var bytes = buffer[..written];
        return bytes.Length == 16 && IsIPv4Mapped(bytes) ? bytes[12..] : bytes;
    }

    private static IPAddress Network(ReadOnlySpan<byte> address, int prefix)
    {
        Span<byte> masked = stackalloc byte[address.Length];
        address.CopyTo(masked);
        for (int i = 0; i < masked.Length * 8; i++)
        {
            if (i >= prefix) masked[i >> 3] &= (byte)~(0x80 >> (i & 7));
        }
        return new IPAddress(masked);
    }
}
