namespace EdgeServer.Observability;

/// <summary>Per-route counters, resolved once per route at compile time so the data path does one Interlocked add.</summary>
internal sealed class RouteMetrics
{
    public RouteMetrics(string route) { Route = route; }
    public string Route { get; }

    /// <summary>Counts a finished request by status class (1xx..5xx).</summary>
    public void RecordRequest(int statusCode) => throw new NotImplementedException();
}
