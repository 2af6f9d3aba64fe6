using System.Buffers.Binary;
using System.Collections.Concurrent;
using EdgeServer.Config.Model;
using EdgeServer.Policy.RateLimiting;

namespace EdgeServer.RateLimiting;

/// <summary>
/// A listener's per-address connection limits, checked at accept before any TLS work: open connections per
/// address, and new connections per address per unit of time (GCRA, the same limiter requests use). One
/// instance lives as long as its listener, so reloads change the numbers without forgetting who is connected.
/// The open-connection table holds only addresses with a connection open (it is bounded by the connection cap).
/// </summary>
internal sealed class ConnectionLimiter(string listener, TimeProvider clock)
{
    private readonly ConcurrentDictionary<UInt128, int> _open = new();
    private volatile Settings _settings = new(null, null, null);
    private long _refusedOpen;
    private long _refusedNew;

    private sealed record Settings(int? MaxPerIp, RateLimitDefinition? NewDefinition, KeyedRateLimiter? NewPerIp);

    public string Listener => listener;
    public long RefusedOpen => Volatile.Read(ref _refusedOpen);
    public long RefusedNew => Volatile.Read(ref _refusedNew);
    public int TrackedAddresses => _open.Count;

    /// <summary>
    /// The listener has limits: only then are connections admitted and tracked (a listener without them pays
    /// nothing at accept). Limits added by a reload count the connections that open after it.
    /// </summary>
    public bool IsActive => _settings is { MaxPerIp: not null } or { NewPerIp: not null };

    /// <summary>Takes the listener's current limits; an unchanged new-connection rate keeps its counters.</summary>
    public void Apply(ConnectionLimitsConfig? config)
    {
        var old = _settings;
        RateLimitDefinition? definition = config?.NewPerIp is { } rate
            ? new RateLimitDefinition($"{listener}:new-connections", rate.Count, rate.Period, config.NewPerIpBurst, 100_000)
            : null;
        var table = definition is null ? null : definition == old.NewDefinition ? old.NewPerIp : new KeyedRateLimiter(definition, clock);
        _settings = new Settings(config?.MaxPerIp, definition, table);
    }

    /// <summary>False: refuse the connection (nothing to release). True: call <see cref="Release"/> when it closes.</summary>
    public bool TryAdmit(ReadOnlySpan<byte> address)
    {
        var settings = _settings;
        if (settings.NewPerIp is { } perIp)
        {
            Span<byte> key = stackalloc byte[RateLimitKeys.MaxLength];
            if (!perIp.TryAcquire(key[..RateLimitKeys.WriteClientIp(address, key)]).Allowed)
            {
                Interlocked.Increment(ref _refusedNew);
                return false;
            }
        }
        var id = Identity(address);
        while (true)
        {
            if (_open.TryGetValue(id, out var open))
            {
                if (settings.MaxPerIp is { } max && open >= max)
                {
                    Interlocked.Increment(ref _refusedOpen);
                    return false;
                }
                if (_open.TryUpdate(id, open + 1, open)) return true;
            }
            else if (_open.TryAdd(id, 1))
            {
                return true;
            }
        }
    }

    public void Release(ReadOnlySpan<byte> address)
    {
        var id = Identity(address);
        while (_open.TryGetValue(id, out var open))
        {
            if (open <= 1 ? _open.TryRemove(new KeyValuePair<UInt128, int>(id, open)) : _open.TryUpdate(id, open - 1, open)) return;
        }
    }

    /// <summary>IPv4 as its IPv4-mapped IPv6 form (clients never arrive in that form: they are mapped to IPv4 at accept).</summary>
    private static UInt128 Identity(ReadOnlySpan<byte> address) => address.Length switch
    {
        4 => ((UInt128)0xFFFF << 32) | BinaryPrimitives.ReadUInt32BigEndian(address),
        16 => BinaryPrimitives.ReadUInt128BigEndian(address),
        _ => UInt128.Zero,
    };
}
