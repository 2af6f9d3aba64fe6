namespace EdgeServer.Redis;

/// <summary>
/// A growable byte buffer owned by one pooled <see cref="PendingCall"/>: a script call's arguments are
/// framed here first and copied to the connection, so the call can be resent as EVAL after a NOSCRIPT
/// reply, when the caller's spans are long gone. Reused across calls, so it stops growing once warm.
/// </summary>
internal sealed class ScriptArgumentBuffer : IBufferWriter<byte>
{
    private byte[] _buffer = new byte[256];
    private int _length;

    public int Capacity => _buffer.Length;

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    public void Clear() => _length = 0;

    public void Advance(int count) => _length += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_length);
    }

    private void Ensure(int sizeHint)
    {
        var needed = _length + Math.Max(sizeHint, 1);
        if (needed <= _buffer.Length) return;
        Array.Resize(ref _buffer, Math.Max(needed, _buffer.Length * 2));
    }
}
