using BenchmarkDotNet.Attributes;
using EdgeServer.Policy.RateLimiting;
using EdgeServer.RateLimiting.Global;

namespace EdgeServer.Benchmarks.Policy;

/// <summary>
/// What a global limit in approximate mode adds to a local decision on the request path (issue 5): hashing the key
/// under the fleet's hasher instead of the process one (same SipHash, so no difference expected) and logging the
/// spending into the lock-free ring. Every figure is per decision (1024 per invocation); the sync loop's side of the
/// ring (taking the 1024 entries back out) is its own case, since it runs on the background loop, not per request.
/// </summary>
[MemoryDiagnoser, MinColumn, MedianColumn]
public class GlobalLimitBenchmark
{
    private const int Batch = 1024;

    private readonly byte[] _key = [4, 32, 198, 51, 100, 23];   // an IPv4 client key
    private KeyedRateLimiter _table = null!;
    private RateLimitKeyHasher _fleet = null!;
    private ConsumptionLog<Spent> _log = null!;
    private long _now;

    [GlobalSetup]
    public void Setup()
    {
        var clock = TimeProvider.System;
        _now = clock.GetTimestamp();
        _table = new KeyedRateLimiter(new RateLimitDefinition("bench", 1_000_000_000, TimeSpan.FromSeconds(1), 1000, 1024), clock);
        _fleet = RateLimitKeyHasher.FromSecret("edge:\nbench"u8);
        _log = new ConsumptionLog<Spent>(64 * 1024);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Batch, Description = "local: hash + decide")]
    public bool Local()
    {
        var allowed = false;
        for (var i = 0; i < Batch; i++) allowed = _table.TryAcquire(RateLimitKey.Of(_key), 1, ++_now).Allowed;
        return allowed;
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "global approximate: fleet hash + decide + log")]
    public bool GlobalApproximate()
    {
        var allowed = false;
        for (var i = 0; i < Batch; i++)
        {
            var id = _fleet.Of(_key);
            var decision = _table.TryAcquire(id, 1, ++_now);
            if (decision.Allowed) _log.TryAdd(new Spent(id.Identity, 1));
            allowed = decision.Allowed;
        }
        // The sync loop's drain, so the ring never fills: measured alone below, to subtract.
        while (_log.TryTake(out _)) { }
        return allowed;
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "ring: add + take (the take runs on the sync loop)")]
    public int LogOnly()
    {
        for (var i = 0; i < Batch; i++) _log.TryAdd(new Spent((ulong)i + 1, 1));
        var taken = 0;
        while (_log.TryTake(out _)) taken++;
        return taken;
    }
}
