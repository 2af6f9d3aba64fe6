using System.Buffers.Binary;
using System.Net;

namespace EdgeServer.Policy.IpSets;

/// <summary>
/// An immutable set of IPv4 and IPv6 CIDR blocks: does any block contain this address? Built by
/// <see cref="IpSetBuilder"/> or loaded by <see cref="IpSetFile"/>; safe to share between threads.
/// </summary>
/// <remarks>
/// An IPv4-mapped IPv6 address (::ffff:a.b.c.d, what a dual-stack socket reports for an IPv4 client) is looked up
/// as the IPv4 address it carries, so it matches IPv4 blocks and never IPv6 ones (not even ::/0).
/// </remarks>
public sealed class IpSet
{
    private readonly RangeTable<uint> _v4;
    private readonly RangeTable<UInt128> _v6;

    internal IpSet(RangeTable<uint> v4, RangeTable<UInt128> v6)
    {
        _v4 = v4;
        _v6 = v6;
    }

    public static IpSet Empty { get; } = new(RangeTable<uint>.Empty, RangeTable<UInt128>.Empty);

    public bool IsEmpty => _v4.Count == 0 && _v6.Count == 0;

    /// <summary>Disjoint IPv4 intervals left after merging overlapping and adjacent blocks.</summary>
    internal int IPv4Ranges => _v4.Count;

    internal int IPv6Ranges => _v6.Count;

    /// <summary>Disjoint address ranges (v4 and v6) after merging: what `edge waf explain` reports as the set's size.</summary>
    public int Ranges => _v4.Count + _v6.Count;

    internal long ArrayBytes => _v4.ArrayBytes + _v6.ArrayBytes;

    internal RangeTable<uint> V4 => _v4;

    internal RangeTable<UInt128> V6 => _v6;

    public bool Contains(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out int written);
        return Contains(bytes[..written]);
    }

    /// <summary>Looks up an address in network byte order: 4 bytes (IPv4) or 16 (IPv6). Allocates nothing.</summary>
    /// <exception cref="ArgumentException">The span is neither 4 nor 16 bytes long.</exception>
    public bool Contains(ReadOnlySpan<byte> address)
    {
        if (address.Length == 4)
            return _v4.Contains(BinaryPrimitives.ReadUInt32BigEndian(address));
        if (address.Length != 16)
            throw new ArgumentException($"an IP address is 4 or 16 bytes, not {address.Length}", nameof(address));
        ulong high = BinaryPrimitives.ReadUInt64BigEndian(address);
        ulong low = BinaryPrimitives.ReadUInt64BigEndian(address[8..]);
        if (high == 0 && (low >> 32) == 0xFFFF)
            return _v4.Contains((uint)low);
        return _v6.Contains(new UInt128(high, low));
    }
}
