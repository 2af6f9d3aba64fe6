using System.Numerics;
using System.Runtime.InteropServices;

namespace EdgeServer.Observability;

/// <summary>
/// A monotonic counter split into one padded cell per processor, for process-wide figures that every
/// connection bumps (bytes, connections): one shared cell would bounce its cache line between cores on
/// every read and write. Adds are lock-free and allocation-free; <see cref="Sum"/> is for scrapes.
/// </summary>
internal sealed class StripedCounter
{
    // Enough stripes to spread the cores this daemon runs on, bounded so a huge host does not cost much memory per counter.
    private const int MaxStripes = 64;

    private readonly PaddedCell[] _cells;
    private readonly int _mask;

    public StripedCounter()
    {
        int stripes = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(Environment.ProcessorCount, 1, MaxStripes));
        _cells = new PaddedCell[stripes];
        _mask = stripes - 1;
    }

    public void Add(long value) =>
        Interlocked.Add(ref _cells[Thread.GetCurrentProcessorId() & _mask].Value, value);

    public void Increment() =>
        Interlocked.Increment(ref _cells[Thread.GetCurrentProcessorId() & _mask].Value);

    /// <summary>Sum of all stripes; not a point-in-time snapshot, but never less than any earlier sum.</summary>
    public long Sum()
    {
        long total = 0;
        for (int i = 0; i < _cells.Length; i++)
        {
            total += Volatile.Read(ref _cells[i].Value);
        }
        return total;
    }

    // 128 bytes with the value in the middle: no two values share a cache line or an adjacent-line prefetch pair.
    [StructLayout(LayoutKind.Explicit, Size = 128)]
    private struct PaddedCell
    {
        [FieldOffset(64)] public long Value;
    }
}
