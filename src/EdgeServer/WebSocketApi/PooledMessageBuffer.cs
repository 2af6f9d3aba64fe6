using System.Buffers;

namespace EdgeServer.WebSocketApi;

/// <summary>
/// Where a client message is unmasked while it arrives: an array rented when its first payload byte comes and
/// handed over whole (<see cref="Detach"/>) to the delivery queue when it ends, so an idle connection holds none and
/// a queued message is never copied. The reader checks the size limit before any payload is written here.
/// </summary>
internal sealed class PooledMessageBuffer : IBufferWriter<byte>
{
    /// <summary>First rent: most API messages (a JSON action) fit in 1 KiB; larger ones grow by doubling.</summary>
    private const int InitialBytes = 1024;

    private byte[]? _array;
    private int _length;

    public int Length => _length;

    public ReadOnlySpan<byte> WrittenSpan => _array is null ? default : _array.AsSpan(0, _length);

    public void Advance(int count) => _length += count;

    public Memory<byte> GetMemory(int sizeHint = 0) => Ensure(sizeHint).AsMemory(_length);

    public Span<byte> GetSpan(int sizeHint = 0) => Ensure(sizeHint).AsSpan(_length);

    /// <summary>The message's bytes and their owner: the caller returns the array to <see cref="ArrayPool{T}.Shared"/>.</summary>
    public (byte[]? Array, int Length) Detach()
    {
        var taken = (_array, _length);
        _array = null;
        _length = 0;
        return taken;
    }

    /// <summary>Gives back whatever is held (a message cut short by a close or a violation).</summary>
    public void Release()
    {
        if (_array is not null) ArrayPool<byte>.Shared.Return(_array);
        _array = null;
        _length = 0;
    }

    private byte[] Ensure(int sizeHint)
    {
        var need = _length + Math.Max(sizeHint, 1);
        if (_array is not null && need <= _array.Length) return _array;
        var next = ArrayPool<byte>.Shared.Rent(Math.Max(need, Math.Max(InitialBytes, (_array?.Length ?? 0) * 2)));
        if (_array is not null)
        {
            _array.AsSpan(0, _length).CopyTo(next);
            ArrayPool<byte>.Shared.Return(_array);
        }
        _array = next;
        return next;
    }
}
