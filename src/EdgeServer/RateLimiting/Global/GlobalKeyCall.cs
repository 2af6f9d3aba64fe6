using EdgeServer.Redis;

namespace EdgeServer.RateLimiting.Global;

/// <summary>
/// The arguments of a global-limit script call: one key, then up to three integers, framed from the caller's stack
/// buffer straight into the Redis pipe (no allocation per call).
/// </summary>
internal readonly ref struct GlobalKeyCall(ReadOnlySpan<byte> key, long first, long second, long third, int integers) : IRespArguments
{
    private readonly ReadOnlySpan<byte> _key = key;

    public GlobalKeyCall(ReadOnlySpan<byte> key, long first, long second, long third) : this(key, first, second, third, 3) { }

    public GlobalKeyCall(ReadOnlySpan<byte> key, long first, long second) : this(key, first, second, 0, 2) { }

    public int Count => 1 + integers;

    public void WriteTo(ref RespWriter writer)
    {
        writer.WriteBulk(_key);
        writer.WriteBulk(first);
        if (integers > 1) writer.WriteBulk(second);
        if (integers > 2) writer.WriteBulk(third);
    }
}
