namespace EdgeServer.Observability;

/// <summary>Gauge sources registered by the parts that own the figures; copy-on-write, since registrations are rare and scrapes must not block them.</summary>
internal sealed class GaugeSourceRegistry
{
    private readonly Lock _gate = new();
    private Registration[] _sources = [];

    public IDisposable Add(Action<GaugeWriter> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var registration = new Registration(this, source);
        lock (_gate)
        {
            _sources = [.. _sources, registration];
        }
        return registration;
    }

    public void CollectInto(GaugeWriter writer)
    {
        foreach (Registration registration in Volatile.Read(ref _sources))
        {
            registration.Source(writer);
        }
    }

    private void Remove(Registration registration)
    {
        lock (_gate)
        {
            _sources = Array.FindAll(_sources, r => !ReferenceEquals(r, registration));
        }
    }

    private sealed class Registration(GaugeSourceRegistry owner, Action<GaugeWriter> source) : IDisposable
    {
        public Action<GaugeWriter> Source { get; } = source;

        public void Dispose() => owner.Remove(this);
    }
}
