using EdgeServer.Tls;

namespace EdgeServer.Observability;

/// <summary>TLS counters of one listener: handshakes by outcome, connections closed by a later trust change, material reloads.</summary>
internal sealed class TlsMetrics(string listener)
{
    private readonly long[] _failures = new long[TlsFailures.Count];
    private readonly long[] _closed = new long[TlsFailures.Count];
    private long _succeeded;
    private long _reloadSuccesses;
    private long _reloadFailures;
    private long _inProgress;

    public string Listener { get; } = listener;

    public void HandshakeStarted() => Interlocked.Increment(ref _inProgress);
    public void HandshakeEnded() => Interlocked.Decrement(ref _inProgress);
    public void HandshakeSucceeded() => Interlocked.Increment(ref _succeeded);
    public void HandshakeFailed(TlsFailure reason) => Interlocked.Increment(ref _failures[(int)reason]);
    public void ClosedOnRecheck(TlsFailure reason) => Interlocked.Increment(ref _closed[(int)reason]);
    public void MaterialReloaded(bool succeeded) => Interlocked.Increment(ref succeeded ? ref _reloadSuccesses : ref _reloadFailures);

    public long Succeeded => Volatile.Read(ref _succeeded);
    public long Failed(TlsFailure reason) => Volatile.Read(ref _failures[(int)reason]);
    public long Closed(TlsFailure reason) => Volatile.Read(ref _closed[(int)reason]);
    public long InProgress => Volatile.Read(ref _inProgress);
    public long ReloadSuccesses => Volatile.Read(ref _reloadSuccesses);
    public long ReloadFailures => Volatile.Read(ref _reloadFailures);
}
