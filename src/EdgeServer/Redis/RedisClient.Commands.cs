namespace EdgeServer.Redis;

/// <summary>
/// Typed shortcuts for the commands the global limits use. Each frames its arguments straight into the
/// pipe; <c>flush: false</c> lets a caller batch several (e.g. INCRBY then PEXPIRE per key of a sync
/// round) into one write without MULTI, then <see cref="Flush"/>.
/// </summary>
internal sealed partial class RedisClient
{
    public ValueTask<RedisResult> PingAsync(TimeSpan? timeout = null) =>
        ExecuteAsync(new RedisCommands.Word("PING"u8), timeout);

    /// <summary>The value (bulk string) or <see cref="RedisResultKind.Null"/>.</summary>
    public ValueTask<RedisResult> GetAsync(ReadOnlySpan<byte> key, TimeSpan? timeout = null, bool flush = true) =>
        ExecuteAsync(new RedisCommands.Key("GET"u8, key), timeout, flush);

    /// <summary>SET, with PX when <paramref name="expiry"/> is given (whole milliseconds, at least 1).</summary>
    public ValueTask<RedisResult> SetAsync(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, TimeSpan? expiry = null, TimeSpan? timeout = null, bool flush = true) =>
        ExecuteAsync(new RedisCommands.Set(key, value, expiry is { } e ? Math.Max(1, (long)e.TotalMilliseconds) : 0), timeout, flush);

    /// <summary>The new value (integer).</summary>
    public ValueTask<RedisResult> IncrByAsync(ReadOnlySpan<byte> key, long increment, TimeSpan? timeout = null, bool flush = true) =>
        ExecuteAsync(new RedisCommands.KeyInteger("INCRBY"u8, key, increment), timeout, flush);

    /// <summary>The new value (integer).</summary>
    public ValueTask<RedisResult> DecrByAsync(ReadOnlySpan<byte> key, long decrement, TimeSpan? timeout = null, bool flush = true) =>
        ExecuteAsync(new RedisCommands.KeyInteger("DECRBY"u8, key, decrement), timeout, flush);

    /// <summary>1 if the timeout was set, 0 if the key does not exist.</summary>
    public ValueTask<RedisResult> PExpireAsync(ReadOnlySpan<byte> key, long milliseconds, TimeSpan? timeout = null, bool flush = true) =>
        ExecuteAsync(new RedisCommands.KeyInteger("PEXPIRE"u8, key, milliseconds), timeout, flush);

    /// <summary>Loads a script ahead of its first call (optional: EVALSHA falls back to EVAL by itself).
    /// The reply is the SHA-1 Redis computed, which equals <see cref="RedisScript.Sha1"/>.</summary>
    public ValueTask<RedisResult> ScriptLoadAsync(RedisScript script, TimeSpan? timeout = null) =>
        ExecuteAsync(timeout ?? _options.CommandTimeout, "SCRIPT", "LOAD", script.SourceBytes);
}
