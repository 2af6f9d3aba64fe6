using System.Diagnostics;
using System.Runtime.CompilerServices;
using EdgeServer.Policy.Waf;
using EdgeServer.Policy.Waf.Evaluation;

namespace EdgeServer.Benchmarks.Policy;

/// <summary>
/// What the 50-rule ACL costs wrk's GET when its code and data are not in the CPU caches, as in the proxy: there
/// each request's TCP, pipe and parser work between two evaluations evicts them, and the ACL costs about twice
/// what a benchmark that evaluates it in a tight loop says. Between evaluations this loop walks a buffer
/// (one write per 64-byte line) large enough to evict most of L2; the cost reported is the time per iteration
/// with the ACL minus the time with an empty ACL, warm (no buffer) and cold. Each figure is the median of
/// several runs of a few seconds. Usage: EdgeServer.Benchmarks time-waf-cold [EVICT_BYTES] [RUNS]
/// </summary>
internal static class WafColdCacheLoop
{
    private static readonly TimeSpan RunLength = TimeSpan.FromSeconds(2);

    public static int Run(string[] args)
    {
        var evictBytes = args.Length > 0 && int.TryParse(args[0], out var e) ? e : 256 * 1024;
        var runs = args.Length > 1 && int.TryParse(args[1], out var r) ? r : 5;
        using var inputs = new WebAclInputs();
        var full = inputs.Acl;
        var empty = new WebAcl(full.Name, full.Source, full.DefaultAction, [], full.Labels, full.BodyInspectionBytes);
        Console.WriteLine($"wrk's GET against {full.Rules.Count} rules, median of {runs} runs of {RunLength.TotalSeconds:0} s:");
        foreach (var evict in new[] { 0, evictBytes })
        {
            var buffer = new byte[evict];
            var withRules = Median(runs, () => PerIteration(full, inputs, buffer));
            var without = Median(runs, () => PerIteration(empty, inputs, buffer));
            Console.WriteLine($"  {(evict == 0 ? "warm" : $"{evict / 1024} KiB evicted between evaluations"),-40} {withRules - without,6:0} ns per evaluation " +
                $"({withRules:0} ns per iteration against {without:0} with no rules)");
        }
        return 0;
    }

    private static double Median(int runs, Func<double> run)
    {
        var values = Enumerable.Range(0, runs).Select(_ => run()).Order().ToArray();
        return values[runs / 2];
    }

    private static double PerIteration(WebAcl acl, WebAclInputs inputs, byte[] evict)
    {
        var clock = Stopwatch.StartNew();
        long iterations = 0;
        while (clock.Elapsed < RunLength)
        {
            Batch(acl, inputs, evict, 1000);
            iterations += 1000;
        }
        return clock.Elapsed.TotalNanoseconds / iterations;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Batch(WebAcl acl, WebAclInputs inputs, byte[] evict, int count)
    {
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < count; i++)
        {
            acl.Evaluate(new WafRequest(inputs.Wrk, inputs.Client, null, []), inputs.Geo, now);
            Evict(evict);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Evict(byte[] buffer)
    {
        for (var i = 0; i < buffer.Length; i += 64) buffer[i]++;
    }
}
