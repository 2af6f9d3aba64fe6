namespace EdgeServer.Redis;

/// <summary>
/// The argument shapes of the commands the edge sends, as ref structs over the caller's spans: a
/// command is framed from them straight into the pipe, so the hot commands allocate nothing.
/// </summary>
internal static class RedisCommands
{
    /// <summary><c>NAME key</c> (GET, DEL, PTTL, ...).</summary>
    public readonly ref struct Key(ReadOnlySpan<byte> name, ReadOnlySpan<byte> key) : IRespArguments
    {
        private readonly ReadOnlySpan<byte> _name = name;
        private readonly ReadOnlySpan<byte> _key = key;

        public int Count => 2;

        public void WriteTo(ref RespWriter writer)
        {
            writer.WriteBulk(_name);
            writer.WriteBulk(_key);
        }
    }

    /// <summary><c>NAME key integer</c> (INCRBY, DECRBY, PEXPIRE, ...).</summary>
    public readonly ref struct KeyInteger(ReadOnlySpan<byte> name, ReadOnlySpan<byte> key, long value) : IRespArguments
    {
        private readonly ReadOnlySpan<byte> _name = name;
        private readonly ReadOnlySpan<byte> _key = key;
        private readonly long _value = value;

        public int Count => 3;

        public void WriteTo(ref RespWriter writer)
        {
            writer.WriteBulk(_name);
            writer.WriteBulk(_key);
            writer.WriteBulk(_value);
        }
    }

    /// <summary><c>SET key value [PX ms]</c>.</summary>
    public readonly ref struct Set(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, long expiryMilliseconds) : IRespArguments
    {
        private readonly ReadOnlySpan<byte> _key = key;
        private readonly ReadOnlySpan<byte> _value = value;
        private readonly long _expiry = expiryMilliseconds;

        public int Count => _expiry > 0 ? 5 : 3;

        public void WriteTo(ref RespWriter writer)
        {
            writer.WriteBulk("SET"u8);
            writer.WriteBulk(_key);
            writer.WriteBulk(_value);
            if (_expiry <= 0) return;
            writer.WriteBulk("PX"u8);
            writer.WriteBulk(_expiry);
        }
    }

    /// <summary>A command of one word (PING).</summary>
    public readonly ref struct Word(ReadOnlySpan<byte> name) : IRespArguments
    {
        private readonly ReadOnlySpan<byte> _name = name;

        public int Count => 1;

        public void WriteTo(ref RespWriter writer) => writer.WriteBulk(_name);
    }
}
