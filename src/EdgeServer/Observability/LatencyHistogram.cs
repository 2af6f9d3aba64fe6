using System.Globalization;

namespace EdgeServer.Observability;

/// <summary>
/// Lock-free fixed-bucket latency histogram: one Interlocked increment on the bucket and one
/// Interlocked add on the sum per observation. Buckets are stored per interval and made cumulative
/// only at scrape time, so recording never touches more than two cells.
/// </summary>
internal sealed class LatencyHistogram
{
    /// <summary>Upper bounds in seconds, 0.5 ms to 30 s: covers a fast LAN backend up to the 29 s upstream response timeout.</summary>
    internal static ReadOnlySpan<double> BoundsSeconds =>
        [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private static readonly long[] s_boundTicks = CreateBoundTicks();

    /// <summary>The "le" label values, formatted once (shortest round-trip form, invariant culture).</summary>
    internal static readonly string[] BoundLabels = CreateBoundLabels();

    // One cell per bound plus the overflow (+Inf only) cell.
    private readonly long[] _counts = new long[s_boundTicks.Length + 1];
    private long _sumTicks;

    public void Record(TimeSpan latency)
    {
        // A negative elapsed time can only come from a clock quirk; count it as zero rather than corrupt the sum.
        long ticks = Math.Max(latency.Ticks, 0);
        long[] bounds = s_boundTicks;
        int bucket = 0;
        while (bucket < bounds.Length && ticks > bounds[bucket])
        {
            bucket++;
        }
        Interlocked.Increment(ref _counts[bucket]);
        Interlocked.Add(ref _sumTicks, ticks);
    }

    /// <summary>Cumulative counts per bound (length = bounds + 1, the last being +Inf = the total count).</summary>
    internal void CopyCumulative(Span<long> destination)
    {
        long running = 0;
        for (int i = 0; i < _counts.Length; i++)
        {
            running += Volatile.Read(ref _counts[i]);
            destination[i] = running;
        }
    }

    internal static int CellCount => s_boundTicks.Length + 1;

    internal double SumSeconds => (double)Volatile.Read(ref _sumTicks) / TimeSpan.TicksPerSecond;

    private static long[] CreateBoundTicks()
    {
        ReadOnlySpan<double> seconds = BoundsSeconds;
        var ticks = new long[seconds.Length];
        for (int i = 0; i < seconds.Length; i++)
        {
            ticks[i] = (long)Math.Round(seconds[i] * TimeSpan.TicksPerSecond);
        }
        return ticks;
    }

    private static string[] CreateBoundLabels()
    {
        ReadOnlySpan<double> seconds = BoundsSeconds;
        var labels = new string[seconds.Length];
        for (int i = 0; i < seconds.Length; i++)
        {
            labels[i] = seconds[i].ToString("R", CultureInfo.InvariantCulture);
        }
        return labels;
    }
}
