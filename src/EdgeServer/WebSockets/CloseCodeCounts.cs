using EdgeServer.Observability;

namespace EdgeServer.WebSockets;

/// <summary>
/// Ended WebSocket connections by close code, for /metrics: one cell per code of 1000-1015 (the registered ones),
/// one for every other code, one for "no close frame". Shared by the relay's and the WebSocket API's metrics.
/// </summary>
internal sealed class CloseCodeCounts
{
    private const int FirstCode = 1000;
    private const int CodeCells = 16;

    private readonly long[] _cells = new long[CodeCells];
    private long _other;
    private long _none;

    /// <param name="code">The close code; 0: none (the TCP connection just ended).</param>
    public void Count(ushort code)
    {
        if (code == 0) Interlocked.Increment(ref _none);
        else if (code - FirstCode is >= 0 and < CodeCells) Interlocked.Increment(ref _cells[code - FirstCode]);
        else Interlocked.Increment(ref _other);
    }

    /// <summary>Samples of <paramref name="family"/> labelled route and code: codes seen, then "other" and "none".</summary>
    public void Write(PrometheusTextWriter w, string family, string route)
    {
        for (var i = 0; i < CodeCells; i++)
        {
            var n = Volatile.Read(ref _cells[i]);
            if (n != 0) Sample(w, family, route, (FirstCode + i).ToString(System.Globalization.CultureInfo.InvariantCulture), n);
        }
        Sample(w, family, route, "other", Volatile.Read(ref _other));
        Sample(w, family, route, "none", Volatile.Read(ref _none));
    }

    private static void Sample(PrometheusTextWriter w, string family, string route, string code, long n)
    {
        w.BeginSample(family);
        w.AddLabel("route", route);
        w.AddLabel("code", code);
        w.EndSample(n);
    }
}
