using System.Runtime.InteropServices;

namespace EdgeServer.RateLimiting.Global;

/// <summary>
/// What the data path spent on global limits since the last sync: a bounded ring that request threads append to
/// without a lock and without allocating, and that the sync loop alone drains (many producers, one consumer).
/// </summary>
/// <remarks>
/// Each cell carries a sequence number, as in Dmitry Vyukov's bounded queue: a producer claims a position with one
/// CAS on the tail, writes the entry, then publishes it by storing the sequence; the consumer takes cells in order
/// and stops at the first one not yet published. When the ring is full the entry is dropped and counted: the sync
/// loop is behind (Redis slow, or more distinct keys per interval than the ring holds), and losing a little of this
/// node's consumption only makes the fleet's view of it slightly low, which is the approximate mode's error anyway.
/// The data path never waits for room.
/// </remarks>
internal sealed class ConsumptionLog<T> where T : struct
{
    private readonly Cell[] _cells;
    private readonly int _mask;
    private long _tail;   // next position a producer claims
    private long _head;   // next position the consumer reads (sync loop only)
    private long _dropped;

    public ConsumptionLog(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 2);
        int size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacity);
        _cells = new Cell[size];
        for (int i = 0; i < size; i++)
            _cells[i].Sequence = i;
        _mask = size - 1;
    }

    public int Capacity => _cells.Length;

    /// <summary>Entries lost because the ring was full.</summary>
    public long Dropped => Volatile.Read(ref _dropped);

    /// <summary>Appends an entry; false (and counted) when the ring is full.</summary>
    public bool TryAdd(in T entry)
    {
        var cells = _cells;
        long position = Volatile.Read(ref _tail);
        while (true)
        {
            ref Cell cell = ref cells[position & _mask];
            long sequence = Volatile.Read(ref cell.Sequence);
            if (sequence == position)
            {
                long seen = Interlocked.CompareExchange(ref _tail, position + 1, position);
                if (seen == position)
                {
                    cell.Entry = entry;
                    Volatile.Write(ref cell.Sequence, position + 1);
                    return true;
                }
                position = seen;
            }
            else if (sequence < position)
            {
                // The consumer has not freed this cell yet: a whole ring of entries is waiting.
                Interlocked.Increment(ref _dropped);
                return false;
            }
            else
            {
                position = Volatile.Read(ref _tail);
            }
        }
    }

    /// <summary>Takes the next published entry. Only the sync loop calls this (one consumer).</summary>
    public bool TryTake(out T entry)
    {
        ref Cell cell = ref _cells[_head & _mask];
        if (Volatile.Read(ref cell.Sequence) != _head + 1)
        {
            entry = default;
            return false;
        }
        entry = cell.Entry;
        cell.Entry = default;   // drop references (API key entries) the ring would otherwise keep alive
        Volatile.Write(ref cell.Sequence, _head + _cells.Length);
        _head++;
        return true;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Cell
    {
        public long Sequence;
        public T Entry;
    }
}
