namespace EdgeServer.Config.Model;

/// <summary>What a rate limit counts by: one counter per distinct value.</summary>
public enum RateLimitKeyKind
{
    /// <summary>The client address: the TCP peer (IPv4-mapped IPv6 counted as IPv4).</summary>
    ClientIp,
    /// <summary>The client address's network: /24 for IPv4 and /64 for IPv6 unless configured.</summary>
    IpPrefix,
    /// <summary>The authenticated API key's id (requests without a key share one counter).</summary>
    ApiKey,
    /// <summary>The verified client certificate's SHA-256 fingerprint (requests without one share one counter).</summary>
    ClientCert,
    /// <summary>A request header's value (requests without it share one counter).</summary>
    Header,
    /// <summary>One counter for the whole route: a ceiling on what the backend receives.</summary>
    Route,
}

/// <summary>A rate as written in config: <see cref="Count"/> requests per <see cref="Period"/> ("100/s", "6000/m").</summary>
public readonly record struct RateValue(long Count, TimeSpan Period)
{
    /// <summary>The interval between requests at this rate (GCRA's emission interval).</summary>
    public TimeSpan Interval => Period / Count;

    /// <summary>The period in whole seconds (at least 1): the window <c>w</c> of a RateLimit-Policy item.</summary>
    public long WindowSeconds => Math.Max(1, (long)Math.Ceiling(Period.TotalSeconds));

    public override string ToString() => $"{Count}/{(Period == TimeSpan.FromSeconds(1) ? "s" : Period == TimeSpan.FromMinutes(1) ? "m" : Period == TimeSpan.FromHours(1) ? "h" : "d")}";
}

/// <summary>
/// A named request rate limit, applied by the listeners and routes that list it. Limits compose: every
/// limit that applies to a request is checked and the strictest decides.
/// </summary>
public sealed record RateLimitConfig
{
    public required string Name { get; init; }
    public RateLimitKeyKind Key { get; init; } = RateLimitKeyKind.ClientIp;
    /// <summary>The header <see cref="RateLimitKeyKind.Header"/> counts by.</summary>
    public string? Header { get; init; }
    public int PrefixV4 { get; init; } = 24;
    public int PrefixV6 { get; init; } = 64;
    public required RateValue Rate { get; init; }
    /// <summary>Requests allowed at once above the steady rate; defaults to one period's worth (at least 1).</summary>
    public required long Burst { get; init; }
    /// <summary>Count and log what would be refused, refuse nothing.</summary>
    public bool DryRun { get; init; }
    /// <summary>Shared by every edge node through Redis (the 'redis' section); local to this process otherwise.</summary>
    public bool Global { get; init; }
    /// <summary>The most keys tracked at once; memory is bounded by it (see docs: what happens at the cap).</summary>
    public int MaxKeys { get; init; } = 100_000;
    public SourceMark Mark { get; init; }
}

/// <summary>Per-client-address connection limits a listener checks at accept, before TLS.</summary>
public sealed record ConnectionLimitsConfig
{
    /// <summary>Open connections per client address; null: no cap.</summary>
    public int? MaxPerIp { get; init; }
    /// <summary>New connections per client address; null: no limit.</summary>
    public RateValue? NewPerIp { get; init; }
    public long NewPerIpBurst { get; init; }
    public SourceMark Mark { get; init; }
}
