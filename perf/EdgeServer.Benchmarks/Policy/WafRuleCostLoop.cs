using System.Diagnostics;
using EdgeServer.Policy.Waf;
using EdgeServer.Policy.Waf.Evaluation;
using EdgeServer.Protocol.Http1;

namespace EdgeServer.Benchmarks.Policy;

/// <summary>
/// What each rule of perf/waf/realistic-50.yaml adds to an evaluation, for the three requests of
/// <see cref="WebAclInputs"/>: the ACL of the first k rules is timed for every k, and a rule's cost is the
/// difference it makes. Prefixes rather than rules alone, so that a rule reusing an earlier rule's transformed
/// text (the ACL's cache) or its labels costs what it costs in the full ACL. Timing as in
/// <see cref="InjectionCallLoop"/>: the fastest of many short batches after a warm-up.
/// Usage: EdgeServer.Benchmarks time-waf-rules [BATCHES]
/// </summary>
internal static class WafRuleCostLoop
{
    private static readonly TimeSpan Warmup = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan BatchTarget = TimeSpan.FromMilliseconds(2);

    public static int Run(string[] args)
    {
        var batches = args.Length > 0 && int.TryParse(args[0], out var b) ? b : 31;
        using var inputs = new WebAclInputs();
        var full = inputs.Acl;
        var rules = full.Rules.ToArray();
        (string Name, RequestHead Head, byte[] Body)[] requests = [("wrk", inputs.Wrk, []), ("browser", inputs.Get, []), ("post", inputs.Post, inputs.PostBody)];
        var totals = new double[rules.Length + 1, requests.Length];
        for (var k = 0; k <= rules.Length; k++)
        {
            // Compiling a prefix reassigns the shared inspections' cache slots, so each prefix is timed right after it is built.
            var acl = new WebAcl(full.Name, full.Source, full.DefaultAction, rules[..k], full.Labels, full.BodyInspectionBytes);
            for (var r = 0; r < requests.Length; r++) totals[k, r] = Time(acl, inputs, requests[r].Head, requests[r].Body, batches);
        }
        Console.WriteLine($"{"rule",-32} {"wrk ns",8} {"browser ns",10} {"post ns",8}   (fastest of {batches} batches; each rule's increment over the rules before it)");
        Console.WriteLine($"{"(no rules)",-32} {totals[0, 0],8:0} {totals[0, 1],10:0} {totals[0, 2],8:0}");
        for (var k = 1; k <= rules.Length; k++)
            Console.WriteLine($"{rules[k - 1].Name,-32} {totals[k, 0] - totals[k - 1, 0],8:0} {totals[k, 1] - totals[k - 1, 1],10:0} {totals[k, 2] - totals[k - 1, 2],8:0}");
        Console.WriteLine($"{"(all rules)",-32} {totals[rules.Length, 0],8:0} {totals[rules.Length, 1],10:0} {totals[rules.Length, 2],8:0}");
        return 0;
    }

    private static double Time(WebAcl acl, WebAclInputs inputs, RequestHead head, byte[] body, int batches)
    {
        var clock = Stopwatch.StartNew();
        long calls = 0;
        while (clock.Elapsed < Warmup)
        {
            Call(acl, inputs, head, body, 64);
            calls += 64;
        }
        var perBatch = (int)Math.Max(1, calls * BatchTarget.Ticks / clock.Elapsed.Ticks);
        var best = double.MaxValue;
        for (var i = 0; i < batches; i++)
        {
            var start = Stopwatch.GetTimestamp();
            Call(acl, inputs, head, body, perBatch);
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalNanoseconds / perBatch);
        }
        return best;
    }

    private static int Call(WebAcl acl, WebAclInputs inputs, RequestHead head, byte[] body, int count)
    {
        var allowed = 0;
        for (var i = 0; i < count; i++)
        {
            if (acl.Evaluate(new WafRequest(head, inputs.Client, null, body), inputs.Geo, DateTimeOffset.UtcNow).Action == WafActionKind.Allow) allowed++;
        }
        return allowed;
    }
}
