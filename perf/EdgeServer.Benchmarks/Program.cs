using EdgeServer.Benchmarks.Policy;

namespace EdgeServer.Benchmarks;

// Run: dotnet run -c Release --project perf/EdgeServer.Benchmarks -- --filter '*'
// Load-robust timings of the injection detectors: -- time-injection (see Policy/InjectionCallLoop.cs).
// What each rule of the 50-rule benchmark ACL costs: -- time-waf-rules (see Policy/WafRuleCostLoop.cs).
// What the whole ACL costs with cold caches, as in the proxy: -- time-waf-cold (see Policy/WafColdCacheLoop.cs).
internal static class BenchmarkMain
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "time-injection")
        {
            return InjectionCallLoop.Run(args[1..]);
        }
        if (args.Length > 0 && args[0] == "time-waf-cold")
        {
            return WafColdCacheLoop.Run(args[1..]);
        }
        if (args.Length > 0 && args[0] == "time-waf-rules")
        {
            return WafRuleCostLoop.Run(args[1..]);
        }

        BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(BenchmarkMain).Assembly).Run(args);
        return 0;
    }
}
