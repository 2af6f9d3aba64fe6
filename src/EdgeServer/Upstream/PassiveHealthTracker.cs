using EdgeServer.Config.Model;

namespace EdgeServer.Upstream;

/// <summary>
/// Passive health of one destination: consecutive failed requests eject it for a while.
/// After an ejection ends the destination is half-open: it takes traffic again, and its very next
/// failure re-ejects it at once (a success closes it fully). That spares a still-dead backend another
/// full run of failures per ejection period. Failures reported while ejected are ignored: they come
/// from requests that started before the ejection and say nothing new.
/// </summary>
internal sealed class PassiveHealthTracker(PassiveHealthConfig config, TimeProvider timeProvider)
{
    private readonly int _threshold = config.ConsecutiveFailures;
    private readonly long _ejectTicks = Timestamps.FromTimeSpan(config.EjectDuration, timeProvider);
    private int _consecutiveFailures;
    private long _ejectedUntil; // timestamp; 0 = never ejected

    public int ConsecutiveFailures => Volatile.Read(ref _consecutiveFailures);

    public bool IsEjected
    {
        get
        {
            var until = Volatile.Read(ref _ejectedUntil);
            // Skip the clock read in the common never-ejected case.
            return until != 0 && timeProvider.GetTimestamp() < until;
        }
    }

    public void ReportSuccess()
    {
        // Read first: the common case (already 0) then costs no interlocked write on a shared line.
        if (Volatile.Read(ref _consecutiveFailures) != 0) Volatile.Write(ref _consecutiveFailures, 0);
    }

    public void ReportFailure()
    {
        if (_threshold <= 0 || IsEjected) return;
        if (Interlocked.Increment(ref _consecutiveFailures) < _threshold) return;

        Volatile.Write(ref _ejectedUntil, timeProvider.GetTimestamp() + _ejectTicks);
        // Half-open after the ejection: one more failure reaches the threshold again.
        Volatile.Write(ref _consecutiveFailures, _threshold - 1);
    }
}
