using System.Diagnostics;

namespace EdgeServer.WebSockets;

/// <summary>
/// Messages per second for one WebSocket connection: GCRA (see EdgeServer.Policy's GcraRate) over one field, with
/// no CAS because only the connection's own reading loop decides. A struct kept inside the connection's state, so a
/// limited connection costs 24 bytes and a decision a clock read and two adds.
/// </summary>
internal struct MessageRateLimiter
{
    private readonly long _interval;   // ticks between two messages at the sustained rate
    private readonly long _capacity;   // burst * interval
    private long _tat;                 // theoretical arrival time; in the past = full burst available

    /// <param name="perSecond">0: unlimited.</param>
    /// <param name="burst">Messages allowed at once; 0: one second's worth.</param>
    public MessageRateLimiter(int perSecond, int burst)
    {
        if (perSecond <= 0) return;
        _interval = Math.Max(1, Stopwatch.Frequency / perSecond);
        _capacity = _interval * (burst > 0 ? burst : perSecond);
    }

    public readonly bool IsLimited => _interval > 0;

    /// <summary>Whether one more message may pass at <paramref name="now"/> (a <see cref="Stopwatch"/> timestamp); records it if so.</summary>
    public bool TryAcquire(long now)
    {
        if (_interval == 0) return true;
        var next = Math.Max(_tat, now) + _interval;
        if (next - _capacity > now) return false;
        _tat = next;
        return true;
    }
}
