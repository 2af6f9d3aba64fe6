namespace EdgeServer.Observability;

/// <summary>Per-route counters, resolved once per route at compile time so the data path does one Interlocked add.</summary>
internal sealed class RouteMetrics
{
    /// <summary>Status classes 1xx..5xx.</summary>
    internal const int StatusClassCount = 5;

    internal static readonly string[] StatusClassLabels = ["1xx", "2xx", "3xx", "4xx", "5xx"];

    private readonly long[] _requestsByClass = new long[StatusClassCount];

    public RouteMetrics(string route) { Route = route; }
    public string Route { get; }

    /// <summary>
    /// Counts a finished request by status class (1xx..5xx). A code outside 100..599 is not an HTTP
    /// status the edge could have sent, so it counts as 5xx (the edge failed to produce a response).
    /// </summary>
    public void RecordRequest(int statusCode) =>
        Interlocked.Increment(ref _requestsByClass[StatusClassIndex(statusCode)]);

    /// <summary>Requests counted so far for a class index (0 = 1xx .. 4 = 5xx).</summary>
    internal long RequestCount(int classIndex) => Volatile.Read(ref _requestsByClass[classIndex]);

    internal static int StatusClassIndex(int statusCode)
    {
        uint index = (uint)(statusCode / 100) - 1;
        return index < StatusClassCount ? (int)index : StatusClassCount - 1;
    }
}
