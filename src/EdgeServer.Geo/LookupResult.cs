using System.Net;

namespace EdgeServer.Geo;

/// <summary>
/// What a lookup found: the decoded value (see <see cref="MaxMindDatabase"/> for the type mapping), and the network
/// of the tree that holds the address, found or not. IPv4 and IPv4-mapped addresses get an IPv4 network.
/// </summary>
public sealed class LookupResult(bool found, object? data, IPAddress network, int prefixLength)
{
    /// <summary>True when the database has a record (or, for a path lookup, a value at the path) for the address.</summary>
    public bool Found { get; } = found;

    /// <summary>The record or the value at the path; null when not found.</summary>
    public object? Data { get; } = data;

    /// <summary>The first address of the network.</summary>
    public IPAddress Network { get; } = network;

    /// <summary>The network's prefix length, in bits of the address family of <see cref="Network"/>.</summary>
    public int PrefixLength { get; } = prefixLength;

    public override string ToString() => $"{Network}/{PrefixLength}";
}
