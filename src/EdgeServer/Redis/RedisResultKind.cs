namespace EdgeServer.Redis;

/// <summary>
/// What a call ended with. The first group are Redis's own replies; the second are the client's
/// outcomes, returned as values (never thrown) so the data path can apply its fail-open or fail-closed
/// policy without exception handling.
/// </summary>
internal enum RedisResultKind : byte
{
    /// <summary>An integer reply (<c>:n</c>; RESP3 booleans map to 1 and 0).</summary>
    Integer,
    /// <summary>A status reply such as <c>+OK</c> (RESP3 doubles and big numbers arrive as their text).</summary>
    SimpleString,
    /// <summary>A bulk string (<c>$len</c>; RESP3 verbatim strings without their format prefix).</summary>
    BulkString,
    /// <summary>A nil bulk string or array (<c>$-1</c>, <c>*-1</c>, RESP3 <c>_</c>).</summary>
    Null,
    /// <summary>An array (RESP3 maps and sets flattened into arrays).</summary>
    Array,
    /// <summary>An error reply (<c>-ERR ...</c>): the command reached Redis and was refused.</summary>
    Error,

    /// <summary>No reply within the call's timeout. The command may still have run; its late reply is discarded.</summary>
    Timeout,
    /// <summary>No connection to Redis: the command was not sent.</summary>
    NotConnected,
    /// <summary>The connection failed after the command was written: it may or may not have run.</summary>
    ConnectionLost,
    /// <summary>Too many calls awaiting replies on the connection: the command was not sent.</summary>
    Overloaded,
}
