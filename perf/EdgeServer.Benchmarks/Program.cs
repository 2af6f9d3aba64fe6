namespace EdgeServer.Benchmarks;

// Run: dotnet run -c Release --project perf/EdgeServer.Benchmarks -- --filter '*'
internal static class BenchmarkMain
{
    public static void Main(string[] args) =>
        BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(BenchmarkMain).Assembly).Run(args);
}
