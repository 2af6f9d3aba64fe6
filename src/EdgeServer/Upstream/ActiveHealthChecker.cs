using EdgeServer.Config.Model;

namespace EdgeServer.Upstream;

/// <summary>
/// The active health loop of one cluster: every Interval, all destinations probed concurrently, each
/// result fed to the destination's thresholds. Runs until <see cref="DisposeAsync"/>.
/// </summary>
internal sealed class ActiveHealthChecker : IAsyncDisposable
{
    private readonly ActiveHealthConfig _config;
    private readonly IReadOnlyList<Destination> _destinations;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopping = new();
    private readonly PeriodicTimer _timer;
    private readonly Task _loop;

    public ActiveHealthChecker(ActiveHealthConfig config, IReadOnlyList<Destination> destinations, TimeProvider timeProvider)
    {
        _config = config;
        _destinations = destinations;
        _time = timeProvider;
        // Bad settings throw here, in the constructor, not later inside the background loop.
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(config.Timeout, TimeSpan.Zero);
        _timer = new PeriodicTimer(config.Interval, timeProvider);
        // Off the caller's thread: the first round starts at once, so down backends are found quickly.
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Completed probe rounds (lets tests wait for "a round happened" instead of sleeping).</summary>
    public long Rounds => Interlocked.Read(ref _rounds);
    private long _rounds;

    private async Task RunAsync()
    {
        var stopping = _stopping.Token;
        using var timer = _timer;
        try
        {
            do
            {
                await ProbeAllAsync(stopping).ConfigureAwait(false);
                Interlocked.Increment(ref _rounds);
            }
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopped by DisposeAsync.
        }
    }

    private async Task ProbeAllAsync(CancellationToken stopping)
    {
        var probes = new Task<bool>[_destinations.Count];
        for (var i = 0; i < probes.Length; i++)
            probes[i] = HealthProbe.ProbeAsync(_destinations[i].Address, _destinations[i].Tls, _config.Path, _config.Timeout, _time, stopping);
        await Task.WhenAll(probes).ConfigureAwait(false);
        stopping.ThrowIfCancellationRequested(); // a probe cut short by shutdown says nothing about health
        for (var i = 0; i < probes.Length; i++) _destinations[i].ReportProbe(probes[i].Result);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stopping.Dispose();
    }
}
