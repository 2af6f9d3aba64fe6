using System.Net;

namespace EdgeServer.Observability;

/// <summary>One finished request as the access log records it; spans point into the connection's buffers and are only valid during the call.</summary>
internal readonly ref struct AccessLogEntry
{
    public DateTimeOffset Time { get; init; }
    public ReadOnlySpan<byte> RequestId { get; init; }
    public IPAddress? ClientIp { get; init; }
    public ReadOnlySpan<byte> Method { get; init; }
    public ReadOnlySpan<byte> Path { get; init; }
    public string? Route { get; init; }
    public int Status { get; init; }
    public long BytesIn { get; init; }
    public long BytesOut { get; init; }
    public string? Upstream { get; init; }
    public TimeSpan? UpstreamLatency { get; init; }
    public TimeSpan TotalLatency { get; init; }
    /// <summary>Why the edge itself answered an error (parse error, timeout...), else null.</summary>
    public string? Error { get; init; }
    /// <summary>Subject of the verified client certificate on a TLS connection, else null.</summary>
    public string? ClientCert { get; init; }
    /// <summary>The WAF rule that allowed or blocked the request, and its labels; null when the default action applied.</summary>
    public string? WafRule { get; init; }
    public string? WafLabels { get; init; }
    /// <summary>The rate limit or usage plan that refused the request (or would have, "(dry run)"), else null.</summary>
    public string? RateLimit { get; init; }
    /// <summary>The authenticated API key's name (never the key), else null.</summary>
    public string? ApiKey { get; init; }
    /// <summary>A relayed WebSocket connection (status 101): the first close code either side sent, 0 when none did; else null.</summary>
    public int? WebSocketClose { get; init; }
}
