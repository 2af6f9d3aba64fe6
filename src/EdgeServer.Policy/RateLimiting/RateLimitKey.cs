namespace EdgeServer.Policy.RateLimiting;

/// <summary>
/// What a keyed limiter tracks: the 64-bit keyed hash (<see cref="SipHash"/>) of a key's bytes. Computing it is most of
/// a decision's cost, so the proxy computes each key once and reuses it: the client-IP key once per connection, an API
/// key once per request, for every limit that uses it.
/// </summary>
/// <remarks>
/// The hash key is secret and drawn once per process, so a key's identity is the same in every limiter (and survives
/// config reloads with the limiters carried over) while clients still cannot predict where their keys land. The
/// identity 0 marks an empty slot, so a hash of 0 becomes 1: one value in 2⁶⁴ loses its uniqueness, nothing else.
/// </remarks>
public readonly record struct RateLimitKey
{
    private static readonly SipHash Process = SipHash.WithRandomKey();

    internal RateLimitKey(ulong identity) => Identity = identity == 0 ? 1 : identity;

    /// <summary>The 64-bit identity (never 0): what a table stores, and what names a global key in Redis.</summary>
    public ulong Identity { get; }

    /// <summary>The key whose identity is <paramref name="identity"/> (0 becomes 1, as for any hash).</summary>
    public static RateLimitKey FromIdentity(ulong identity) => new(identity);

    /// <summary>The key for arbitrary bytes: an API key's name, a header value, a route id.</summary>
    public static RateLimitKey Of(ReadOnlySpan<byte> bytes) => new(Process.Hash13(bytes));

    /// <summary>The key for a client address (4 or 16 bytes; IPv4-mapped counts as IPv4; empty for none).</summary>
    public static RateLimitKey OfClientIp(ReadOnlySpan<byte> address)
    {
        Span<byte> key = stackalloc byte[RateLimitKeys.MaxLength];
        return Of(key[..RateLimitKeys.WriteClientIp(address, key)]);
    }

    /// <summary>The key for the network around a client address (see <see cref="RateLimitKeys.WritePrefix"/>).</summary>
    public static RateLimitKey OfPrefix(ReadOnlySpan<byte> address, int ipv4Bits = RateLimitKeys.DefaultIPv4PrefixBits, int ipv6Bits = RateLimitKeys.DefaultIPv6PrefixBits)
    {
        Span<byte> key = stackalloc byte[RateLimitKeys.MaxLength];
        return Of(key[..RateLimitKeys.WritePrefix(address, ipv4Bits, ipv6Bits, key)]);
    }

    public override string ToString() => $"RateLimitKey({Identity:x16})";
}
