using System.Buffers.Binary;
using System.Net;

namespace EdgeServer.Policy.Tests.IpSets;

/// <summary>The reference: a list of (family, network, length) scanned linearly, compared bit by bit.</summary>
/// <remarks>Deliberately shares nothing with the code under test but the mapped-address rule it specifies.</remarks>
internal sealed class NaiveIpSet
{
    private readonly List<(bool V4, UInt128 Network, int Length)> _prefixes = [];

    public void Add(bool v4, UInt128 network, int length) => _prefixes.Add((v4, network, length));

    public bool Contains(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        bool v4 = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork;
        byte[] bytes = address.GetAddressBytes();
        UInt128 value = v4 ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt128BigEndian(bytes);
        int bits = v4 ? 32 : 128;
        foreach (var (pv4, network, length) in _prefixes)
        {
            if (pv4 != v4)
                continue;
            if (length == 0 || (value ^ network) >> (bits - length) == 0)
                return true;
        }
        return false;
    }
}
