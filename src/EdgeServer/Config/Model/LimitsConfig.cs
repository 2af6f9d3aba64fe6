namespace EdgeServer.Config.Model;

/// <summary>Every limit explicit, each default named with its reason.</summary>
public sealed record LimitsConfig
{
    public int MaxRequestLineBytes { get; init; } = 8 * 1024;
    public int MaxHeaderBytes { get; init; } = 32 * 1024;
    public int MaxHeaderCount { get; init; } = 100;

    /// <summary>10 MiB unless a route says otherwise: large enough for API payloads, small enough that a forgotten route cannot be used to stream gigabytes.</summary>
    public long MaxBodyBytes { get; init; } = 10L * 1024 * 1024;

    /// <summary>10 s to send a complete head once the first byte arrived (slowloris): nginx uses 60 s, HAProxy's typical `timeout http-request` is 10 s.</summary>
    public TimeSpan HeaderTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Idle time allowed between requests on a keep-alive connection (nginx: 75 s; Kestrel: 130 s).</summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(75);

    /// <summary>Total concurrent client connections across all listeners; beyond it new connections are closed at accept.</summary>
    public int MaxConnections { get; init; } = 10_000;

    /// <summary>Upstream response heads get the same bounds as request heads unless set.</summary>
    public int MaxResponseHeaderBytes { get; init; } = 32 * 1024;
}
