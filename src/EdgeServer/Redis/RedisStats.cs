namespace EdgeServer.Redis;

/// <summary>
/// The client's counters, written with interlocked increments from any thread and read as a
/// <see cref="RedisHealth"/> snapshot (for /metrics and the fail-open/fail-closed decision's logs).
/// </summary>
internal sealed class RedisStats
{
    private long _connects;
    private long _connectFailures;
    private long _disconnects;
    private long _calls;
    private long _timeouts;
    private long _errorReplies;
    private long _notConnected;
    private long _connectionLost;
    private long _overloaded;
    private long _protocolErrors;
    private long _stalls;
    private long _scriptReloads;
    private string? _lastError;

    public void Connected() => Interlocked.Increment(ref _connects);
    // The reason is stored before the count moves, so whoever sees the count sees its reason.
    public void ConnectFailed(string reason) { Volatile.Write(ref _lastError, reason); Interlocked.Increment(ref _connectFailures); }
    public void Disconnected(string reason) { Volatile.Write(ref _lastError, reason); Interlocked.Increment(ref _disconnects); }
    public void CallWritten() => Interlocked.Increment(ref _calls);
    public void TimedOut() => Interlocked.Increment(ref _timeouts);
    public void ErrorReply() => Interlocked.Increment(ref _errorReplies);
    public void RefusedNotConnected() => Interlocked.Increment(ref _notConnected);
    public void LostWithConnection() => Interlocked.Increment(ref _connectionLost);
    public void RefusedOverloaded() => Interlocked.Increment(ref _overloaded);
    public void ProtocolError() => Interlocked.Increment(ref _protocolErrors);
    public void Stalled() => Interlocked.Increment(ref _stalls);
    public void ScriptReloaded() => Interlocked.Increment(ref _scriptReloads);

    public RedisHealth Snapshot(bool connected, int pending) => new(
        connected,
        pending,
        Interlocked.Read(ref _connects),
        Interlocked.Read(ref _connectFailures),
        Interlocked.Read(ref _disconnects),
        Interlocked.Read(ref _calls),
        Interlocked.Read(ref _timeouts),
        Interlocked.Read(ref _errorReplies),
        Interlocked.Read(ref _notConnected),
        Interlocked.Read(ref _connectionLost),
        Interlocked.Read(ref _overloaded),
        Interlocked.Read(ref _protocolErrors),
        Interlocked.Read(ref _stalls),
        Interlocked.Read(ref _scriptReloads),
        Volatile.Read(ref _lastError));
}

/// <summary>A point-in-time view of a <see cref="RedisClient"/>.</summary>
/// <param name="Connected">A connection is ready for calls right now.</param>
/// <param name="Pending">Calls awaiting replies on the current connection (timed-out ones included until their late reply).</param>
/// <param name="Connects">Connections that completed their handshake; more than one means reconnects.</param>
/// <param name="ConnectFailures">Attempts that failed to connect or to pass AUTH/SELECT/PING.</param>
/// <param name="Disconnects">Ready connections that were lost.</param>
/// <param name="Calls">Commands written to Redis.</param>
/// <param name="Timeouts">Calls completed with <see cref="RedisResultKind.Timeout"/>.</param>
/// <param name="ErrorReplies">Error replies from Redis (including NOSCRIPT answered by resending).</param>
/// <param name="NotConnected">Calls refused at once while disconnected.</param>
/// <param name="ConnectionLost">Calls whose connection failed before their reply.</param>
/// <param name="Overloaded">Calls refused at once because <see cref="RedisClientOptions.MaxPendingCalls"/> were waiting.</param>
/// <param name="ProtocolErrors">Connections dropped because the server sent something that is not RESP (or a reply nobody asked for).</param>
/// <param name="Stalls">Connections dropped after <see cref="RedisClientOptions.StallTimeout"/> without a reply.</param>
/// <param name="ScriptReloads">EVALSHA calls resent as EVAL after NOSCRIPT.</param>
/// <param name="LastError">Why the last connect attempt or connection failed.</param>
internal readonly record struct RedisHealth(
    bool Connected,
    int Pending,
    long Connects,
    long ConnectFailures,
    long Disconnects,
    long Calls,
    long Timeouts,
    long ErrorReplies,
    long NotConnected,
    long ConnectionLost,
    long Overloaded,
    long ProtocolErrors,
    long Stalls,
    long ScriptReloads,
    string? LastError);
