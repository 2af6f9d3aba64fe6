using System.Diagnostics;
using EdgeServer.Policy.Injection;

namespace EdgeServer.Benchmarks.Policy;

/// <summary>
/// A load-robust timing of the detectors, for a shared machine without hardware counters (perf stat reports
/// instructions as "not supported" here, and valgrind's instruction counts are no substitute: under it the JIT
/// falls back to unoptimised code). Each detector on each input of <see cref="InjectionInputs"/>: warmed up until
/// tiered compilation has settled, then timed in many short batches; the fastest batch is the figure, because other
/// processes only ever add time to a batch, and the median shows how noisy the run was.
/// Usage: EdgeServer.Benchmarks time-injection [BATCHES]
/// </summary>
internal static class InjectionCallLoop
{
    private static readonly TimeSpan Warmup = TimeSpan.FromMilliseconds(600);

    private static readonly TimeSpan BatchTarget = TimeSpan.FromMilliseconds(4);

    public static int Run(string[] args)
    {
        int batches = args.Length > 0 && int.TryParse(args[0], out int b) ? b : 41;
        Console.WriteLine($"{"detector",-8} {"input",-14} {"min ns",10} {"median ns",10}   (batches of ~{BatchTarget.TotalMilliseconds} ms, {batches} batches)");
        foreach (bool sql in new[] { true, false })
        {
            foreach ((string name, string input) in InjectionInputs.ByName)
            {
                (double min, double median) = Time(sql, input, batches);
                Console.WriteLine($"{(sql ? "SQLi" : "XSS"),-8} {name,-14} {min,10:0.0} {median,10:0.0}");
            }
        }

        return 0;
    }

    private static (double Min, double Median) Time(bool sql, string input, int batches)
    {
        var clock = Stopwatch.StartNew();
        long calls = 0;
        while (clock.Elapsed < Warmup)
        {
            Call(sql, input, 64);
            calls += 64;
        }

        int perBatch = (int)Math.Max(1, calls * BatchTarget.Ticks / clock.Elapsed.Ticks);
        var perCall = new double[batches];
        for (int i = 0; i < batches; i++)
        {
            long start = Stopwatch.GetTimestamp();
            Call(sql, input, perBatch);
            perCall[i] = Stopwatch.GetElapsedTime(start).TotalNanoseconds / perBatch;
        }

        Array.Sort(perCall);
        return (perCall[0], perCall[batches / 2]);
    }

    private static int Call(bool sql, string input, int count)
    {
        int flagged = 0;
        for (int i = 0; i < count; i++)
        {
            flagged += (sql ? SqlInjectionDetector.IsSqlInjection(input) : XssDetector.IsXss(input)) ? 1 : 0;
        }

        return flagged;
    }
}
