using System.Collections.Concurrent;

namespace EdgeServer.Redis;

/// <summary>
/// Reusable <see cref="PendingCall"/>s of one client. A warm pool serves every call without allocating;
/// it keeps at most <see cref="MaxRetained"/> idle calls, so a burst does not pin memory for good.
/// </summary>
internal sealed class PendingCallPool
{
    /// <summary>Idle calls kept: more than a busy edge node has in flight to Redis at once.</summary>
    public const int MaxRetained = 4096;

    private readonly ConcurrentQueue<PendingCall> _idle = new();
    private int _count;

    public PendingCall Rent()
    {
        if (_idle.TryDequeue(out var call))
        {
            Interlocked.Decrement(ref _count);
            return call;
        }
        return new PendingCall(this);
    }

    public void Return(PendingCall call)
    {
        if (Interlocked.Increment(ref _count) > MaxRetained)
        {
            Interlocked.Decrement(ref _count);
            return;
        }
        _idle.Enqueue(call);
    }
}
