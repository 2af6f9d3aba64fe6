namespace EdgeServer.Observability;

/// <summary>
/// The bounded buffer between request threads and the log writer: two fixed arrays, one filled by
/// writers under a short lock (a memcpy), the other drained by the single flusher. Memory is fixed
/// at twice the capacity; when the filling half is full, lines are refused, never waited for.
/// </summary>
internal sealed class AccessLogBuffer
{
    private readonly Lock _gate = new();
    private byte[] _filling;
    private byte[] _draining;
    private int _length;
    private bool _closed;

    public AccessLogBuffer(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _filling = new byte[capacity];
        _draining = new byte[capacity];
    }

    public int Capacity => _filling.Length;

    /// <summary>Appends a whole line, or nothing when it does not fit or the buffer is closed.</summary>
    /// <param name="buffered">Bytes waiting after the append, for the caller to decide on an early flush.</param>
    public bool TryAppend(ReadOnlySpan<byte> line, out int buffered)
    {
        lock (_gate)
        {
            buffered = _length;
            if (_closed || line.Length > _filling.Length - _length)
            {
                return false;
            }
            line.CopyTo(_filling.AsSpan(_length));
            _length += line.Length;
            buffered = _length;
            return true;
        }
    }

    /// <summary>
    /// Swaps the halves and returns what was buffered. Single flusher only: the returned memory stays
    /// valid until the next call, which hands the same array back to writers.
    /// </summary>
    public ReadOnlyMemory<byte> TakeBatch()
    {
        lock (_gate)
        {
            (_filling, _draining) = (_draining, _filling);
            int length = _length;
            _length = 0;
            return _draining.AsMemory(0, length);
        }
    }

    /// <summary>Refuses every later append; what is already buffered can still be taken.</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
        }
    }
}
