namespace EdgeServer.Redis;

/// <summary>
/// The arguments of one command (or of a script call after its SHA), written by the caller straight
/// into the connection's output buffer: a ref struct implementing this holds the caller's byte spans,
/// so nothing is copied or allocated to describe a command. <see cref="Count"/> must equal the number
/// of bulk strings <see cref="WriteTo"/> writes; a mismatch would corrupt the stream, so the client
/// checks it and drops the connection (the command is never sent) if it differs.
/// </summary>
internal interface IRespArguments
{
    int Count { get; }

    void WriteTo(ref RespWriter writer);
}

/// <summary>Arguments from a span of <see cref="RedisArgument"/> values (the general, convenient form).</summary>
internal readonly ref struct RedisArguments(ReadOnlySpan<RedisArgument> arguments) : IRespArguments
{
    private readonly ReadOnlySpan<RedisArgument> _arguments = arguments;

    public int Count => _arguments.Length;

    public void WriteTo(ref RespWriter writer)
    {
        foreach (ref readonly var argument in _arguments) argument.WriteTo(ref writer);
    }
}
