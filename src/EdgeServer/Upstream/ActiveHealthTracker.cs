using EdgeServer.Config.Model;

namespace EdgeServer.Upstream;

/// <summary>
/// Active health of one destination from its probe results. Starts up: a new destination takes
/// traffic until probes say otherwise (the first probe round runs as soon as the cluster starts).
/// Probe results for one destination arrive one at a time (one probe loop per cluster), so the
/// counters need no atomics; only <see cref="IsDown"/> is read by other threads.
/// </summary>
internal sealed class ActiveHealthTracker(ActiveHealthConfig config)
{
    private int _passes;
    private int _fails;
    private volatile bool _down;

    public bool IsDown => _down;

    public void Report(bool passed)
    {
        if (passed)
        {
            _fails = 0;
            if (_down && ++_passes >= Math.Max(1, config.HealthyThreshold)) { _down = false; _passes = 0; }
        }
        else
        {
            _passes = 0;
            if (!_down && ++_fails >= Math.Max(1, config.UnhealthyThreshold)) { _down = true; _fails = 0; }
        }
    }
}
