using System.Net;

namespace EdgeServer.Config.Model;

public enum LoadBalancingPolicy
{
    RoundRobin,
    PowerOfTwoChoices,
}

public sealed record ClusterConfig
{
    public required string Name { get; init; }
    /// <summary>host:port; names are resolved when connecting.</summary>
    public required IReadOnlyList<DnsOrIpEndPoint> Destinations { get; init; }
    public LoadBalancingPolicy LoadBalancing { get; init; } = LoadBalancingPolicy.RoundRobin;
    /// <summary>5 s: a healthy backend on a LAN connects in well under a millisecond.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>29 s: API Gateway's integration timeout, which clients and SDKs are used to.</summary>
    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromSeconds(29);
    /// <summary>Idle pooled connections are closed after this (below typical backend keep-alive timeouts of 60-75 s, so we close first).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(50);
    public int MaxIdlePerDestination { get; init; } = 256;
    /// <summary>Concurrent connections (busy + idle) per destination; requests beyond wait up to the connect timeout.</summary>
    public int MaxConnectionsPerDestination { get; init; } = 1024;
    public PassiveHealthConfig PassiveHealth { get; init; } = new();
    public ActiveHealthConfig? ActiveHealth { get; init; }
    /// <summary>Null: plain HTTP to the destinations.</summary>
    public UpstreamTlsConfig? Tls { get; init; }
    public SourceMark Mark { get; init; }
}

public sealed record PassiveHealthConfig
{
    /// <summary>Consecutive failed requests (connect failure, reset, 5xx timeout) that eject a destination; 0 disables.</summary>
    public int ConsecutiveFailures { get; init; } = 5;
    public TimeSpan EjectDuration { get; init; } = TimeSpan.FromSeconds(30);
}

public sealed record ActiveHealthConfig
{
    public string Path { get; init; } = "/healthz";
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>Consecutive failed probes before a destination is marked down.</summary>
    public int UnhealthyThreshold { get; init; } = 2;
    /// <summary>Consecutive passed probes before a down destination is marked up again.</summary>
    public int HealthyThreshold { get; init; } = 1;
}

/// <summary>A destination address as configured: an IP endpoint, or a host name resolved at connect time.</summary>
public sealed record DnsOrIpEndPoint(string Host, int Port)
{
    public IPAddress? Ip => IPAddress.TryParse(Host, out var ip) ? ip : null;
    public override string ToString() => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
