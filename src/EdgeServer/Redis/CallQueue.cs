using System.Numerics;

namespace EdgeServer.Redis;

/// <summary>
/// The calls of one connection in the order their commands were written: replies come back in that
/// order, so the head is always the call the next reply answers. A fixed ring: writers enqueue under
/// the connection's write lock (one producer at a time); the reply loop is the only consumer and takes
/// no lock. The timeout sweep reads the entries under the write lock.
/// </summary>
internal sealed class CallQueue
{
    private readonly PendingCall?[] _items;
    private readonly int _mask;
    private long _head; // next to dequeue; written by the consumer only
    private long _tail; // next free slot; written by producers (under the lock) only

    /// <param name="capacity">Rounded up to a power of two.</param>
    public CallQueue(int capacity)
    {
        _items = new PendingCall?[(int)BitOperations.RoundUpToPowerOf2((uint)capacity)];
        _mask = _items.Length - 1;
    }

    public int Capacity => _items.Length;

    public int Count => (int)(Volatile.Read(ref _tail) - Volatile.Read(ref _head));

    /// <summary>Producer side (under the write lock): false when full.</summary>
    public bool TryEnqueue(PendingCall call)
    {
        var tail = _tail;
        if (tail - Volatile.Read(ref _head) >= _items.Length) return false;
        _items[tail & _mask] = call;
        Volatile.Write(ref _tail, tail + 1); // publishes the item to the consumer
        return true;
    }

    /// <summary>Consumer side: the call the next reply answers, without removing it.</summary>
    public PendingCall? Peek()
    {
        var head = _head;
        return head == Volatile.Read(ref _tail) ? null : _items[head & _mask];
    }

    /// <summary>Consumer side: removes the head (after <see cref="Peek"/> returned it).</summary>
    public PendingCall Dequeue()
    {
        var head = _head;
        var call = _items[head & _mask]!;
        _items[head & _mask] = null;
        Volatile.Write(ref _head, head + 1);
        return call;
    }

    /// <summary>Visits queued calls oldest first (under the write lock, so none is added meanwhile).
    /// The consumer may remove calls concurrently; a removed call is at worst visited once more.</summary>
    public PendingCall? At(long index) => _items[index & _mask];

    public long Head => Volatile.Read(ref _head);

    public long Tail => Volatile.Read(ref _tail);
}
