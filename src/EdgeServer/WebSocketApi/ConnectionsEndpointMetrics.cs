using EdgeServer.Observability;

namespace EdgeServer.WebSocketApi;

/// <summary>How a call to the admin listener's /@connections/{id} ended: the result label of edge_wsapi_admin_calls_total.</summary>
internal enum EndpointResult : byte
{
    /// <summary>Sent (POST), described (GET), closing (DELETE).</summary>
    Ok,
    /// <summary>No open connection has that id (410, as API Gateway answers).</summary>
    Gone,
    /// <summary>A POST body larger than the route's maxMessageBytes (413).</summary>
    TooLarge,
    /// <summary>Malformed id, missing Content-Length, unsupported method.</summary>
    BadRequest,
}

/// <summary>Counters of /@connections calls by method and result.</summary>
internal sealed class ConnectionsEndpointMetrics
{
    private static readonly string[] s_methods = ["POST", "GET", "DELETE"];
    private static readonly string[] s_results = ["ok", "gone", "too_large", "bad_request"];
    private readonly long[] _cells = new long[s_methods.Length * s_results.Length];

    /// <param name="method">0 POST, 1 GET, 2 DELETE (others count as POST's bad requests: a method the endpoint does not serve).</param>
    public void Count(int method, EndpointResult result) => Interlocked.Increment(ref _cells[(method * s_results.Length) + (int)result]);

    public long Get(int method, EndpointResult result) => Volatile.Read(ref _cells[(method * s_results.Length) + (int)result]);

    public void Write(PrometheusTextWriter w)
    {
        w.WriteFamily("edge_wsapi_admin_calls_total", "Calls to the admin listener's /@connections/{id}, by method and result.", "counter");
        for (var m = 0; m < s_methods.Length; m++)
        {
            for (var r = 0; r < s_results.Length; r++)
            {
                w.BeginSample("edge_wsapi_admin_calls_total");
                w.AddLabel("method", s_methods[m]);
                w.AddLabel("result", s_results[r]);
                w.EndSample(Volatile.Read(ref _cells[(m * s_results.Length) + r]));
            }
        }
    }
}
