namespace EdgeServer.Redis;

/// <summary>
/// Where Redis is and how long the edge waits for it. Every wait has a bound: the data path's calls
/// (<see cref="CommandTimeout"/>), connecting (<see cref="ConnectTimeout"/>) and a connection that stops
/// answering altogether (<see cref="StallTimeout"/>).
/// </summary>
internal sealed record RedisClientOptions
{
    public required string Host { get; init; }

    public int Port { get; init; } = 6379;

    /// <summary>ACL user for <c>AUTH user password</c>; null sends <c>AUTH password</c> (the default user).</summary>
    public string? User { get; init; }

    /// <summary>Null: no AUTH.</summary>
    public string? Password { get; init; }

    /// <summary>Selected after connecting when not 0.</summary>
    public int Database { get; init; }

    /// <summary>Sent as <c>CLIENT SETNAME</c>, so operators can tell edge nodes apart in <c>CLIENT LIST</c>.</summary>
    public string? ClientName { get; init; }

    /// <summary>TCP connect plus AUTH/SELECT/PING, together.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A call's default timeout: Redis sits on the request path, so this is short.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How late past its timeout a call may complete: the period of the timeout sweep (which runs only while calls are queued).</summary>
    public TimeSpan TimeoutResolution { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>A connection whose oldest call has waited this long is dropped and reconnected (a
    /// half-open TCP connection never reports an error; calls would only ever time out).</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>First reconnect delay; it doubles per failed attempt up to <see cref="ReconnectMaxDelay"/>, with jitter.</summary>
    public TimeSpan ReconnectMinDelay { get; init; } = TimeSpan.FromMilliseconds(50);

    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Calls awaiting replies on the connection; beyond, calls fail fast with
    /// <see cref="RedisResultKind.Overloaded"/> rather than queue without bound.</summary>
    public int MaxPendingCalls { get; init; } = 16 * 1024;

    /// <summary>Buffered reply bytes not yet forming a whole reply; beyond, the server is broken and the connection dropped.</summary>
    public int MaxBufferedReplyBytes { get; init; } = RespReplyParser.MaxBulkBytes + 64 * 1024;

    public void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(Host);
        ArgumentOutOfRangeException.ThrowIfLessThan(Port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Port, 65535);
        ArgumentOutOfRangeException.ThrowIfNegative(Database);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ConnectTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(CommandTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(TimeoutResolution, TimeSpan.FromMilliseconds(1));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(StallTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ReconnectMinDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(ReconnectMaxDelay, ReconnectMinDelay);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPendingCalls, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBufferedReplyBytes, 1024);
    }
}
