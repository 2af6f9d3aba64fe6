namespace EdgeServer.Forwarding;

/// <summary>What happened to one forwarded request, for the connection loop, the access log and metrics.</summary>
internal readonly record struct ForwardResult
{
    public required int Status { get; init; }
    /// <summary>A response head already went to the client: an error can no longer be answered, only the connection closed.</summary>
    public bool ResponseStarted { get; init; }
    /// <summary>The client is gone: nothing more can be written to it.</summary>
    public bool ClientGone { get; init; }
    public bool KeepAlive { get; init; }
    public long BytesOut { get; init; }
    public long BodyBytesIn { get; init; }
    public string? Upstream { get; init; }
    public TimeSpan? UpstreamLatency { get; init; }
    /// <summary>Why the edge answered (or ended) the request itself, else null.</summary>
    public string? Error { get; init; }
}
