using BenchmarkDotNet.Attributes;
using EdgeServer.Policy.RateLimiting;

namespace EdgeServer.Benchmarks.Policy;

/// <summary>
/// Rate-limit decisions from two threads at once (both cores of this machine): on one shared key, where every
/// decision's compare-and-swap fights for the same cache line, and on one key per thread, where the table is shared but
/// the slots are not. Keys are hashed once up front (as the proxy does per connection), so what is measured is the
/// table and the CAS. The figure is wall time per decision across both threads (1 Mi decisions per invocation), so
/// perfect scaling halves the single-thread figure.
/// </summary>
/// <remarks>
/// A second thread waits on an event between invocations; each invocation releases it, runs its own half on the
/// benchmark thread and waits for the other half to finish. Each thread's <c>now</c> moves two ticks per decision
/// (the limit allows one per tick), so the shared key keeps pace with the two threads and stays on the CAS path.
/// </remarks>
[MemoryDiagnoser, MinColumn, MedianColumn]
public class RateLimiterContentionBenchmark
{
    private const int PerThread = 1 << 19;

    private readonly RateLimitKey _sharedKey = RateLimitKey.OfClientIp([198, 51, 100, 23]);
    private readonly RateLimitKey _ownKey0 = RateLimitKey.OfClientIp([198, 51, 100, 1]);
    private readonly RateLimitKey _ownKey1 = RateLimitKey.OfClientIp([198, 51, 100, 2]);
    private KeyedRateLimiter _table = null!;
    private Thread _helper = null!;
    private readonly ManualResetEventSlim _go = new(false, spinCount: 0);
    private readonly ManualResetEventSlim _done = new(false, spinCount: 0);
    private volatile bool _stop;
    private RateLimitKey _helperKey;
    private long _start;

    [GlobalSetup]
    public void Setup()
    {
        _table = new KeyedRateLimiter(new RateLimitDefinition("bench", 1_000_000_000, TimeSpan.FromSeconds(1), 1000, 1024), TimeProvider.System);
        _start = TimeProvider.System.GetTimestamp();
        _helper = new Thread(HelperLoop) { IsBackground = true, Name = "rate-limit bench helper" };
        _helper.Start();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _stop = true;
        _go.Set();
        _helper.Join();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = 2 * PerThread, Description = "2 threads, one shared key")]
    public long SharedKey() => RunBoth(_sharedKey, _sharedKey);

    [Benchmark(OperationsPerInvoke = 2 * PerThread, Description = "2 threads, a key each")]
    public long KeyPerThread() => RunBoth(_ownKey0, _ownKey1);

    private long RunBoth(RateLimitKey mine, RateLimitKey theirs)
    {
        _helperKey = theirs;
        _done.Reset();
        _go.Set();
        long allowed = Decide(mine);
        _done.Wait();
        return allowed;
    }

    private void HelperLoop()
    {
        while (true)
        {
            _go.Wait();
            _go.Reset();
            if (_stop)
                return;
            Decide(_helperKey);
            _done.Set();
        }
    }

    private long Decide(RateLimitKey key)
    {
        long allowed = 0;
        long now = Interlocked.Add(ref _start, 0);
        for (int i = 0; i < PerThread; i++)
        {
            now += 2;
            if (_table.TryAcquire(key, 1, now).Allowed)
                allowed++;
        }

        Interlocked.Add(ref _start, PerThread);   // both threads: the common clock moves 2 ticks per decision pair
        return allowed;
    }
}
