using System.Runtime.InteropServices;

namespace EdgeServer.Policy.IpSets;

/// <summary>Collects CIDR blocks (overlaps and duplicates allowed) and builds an immutable <see cref="IpSet"/>.</summary>
/// <remarks>Not thread-safe. <see cref="Build"/> leaves the builder as it was, so it can be built again after more adds.</remarks>
public sealed class IpSetBuilder
{
    private readonly List<uint> _v4First = [], _v4Last = [];
    private readonly List<UInt128> _v6First = [], _v6Last = [];

    /// <summary>Blocks added so far, before merging.</summary>
    public int Count => _v4First.Count + _v6First.Count;

    public IpSetBuilder Add(IpPrefix prefix)
    {
        if (prefix.IsIPv4)
        {
            _v4First.Add((uint)prefix.Network);
            _v4Last.Add((uint)prefix.Last);
        }
        else
        {
            _v6First.Add(prefix.Network);
            _v6Last.Add(prefix.Last);
        }
        return this;
    }

    /// <summary>Adds "10.0.0.0/8", "2001:db8::/32" or a bare address.</summary>
    /// <exception cref="FormatException">Not a strict CIDR (see <see cref="IpPrefix"/>), e.g. host bits set in "10.0.0.1/8".</exception>
    public IpSetBuilder Add(string cidr) => Add(IpPrefix.Parse(cidr));

    public IpSet Build() => new(
        RangeTable<uint>.Build(CollectionsMarshal.AsSpan(_v4First).ToArray(), CollectionsMarshal.AsSpan(_v4Last).ToArray()),
        RangeTable<UInt128>.Build(CollectionsMarshal.AsSpan(_v6First).ToArray(), CollectionsMarshal.AsSpan(_v6Last).ToArray()));
}
