namespace EdgeServer.Policy.Tests.RateLimiting;

/// <summary>
/// Runs one decision from many dedicated threads released together by a barrier: Parallel.For on a two-core machine
/// tends to run its iterations one after another, which would never make two compare-and-swaps collide.
/// </summary>
internal static class Hammer
{
    /// <summary>How many of all the attempts returned true.</summary>
    public static long Count(int threads, int attemptsPerThread, Func<bool> attempt)
    {
        long total = 0;
        using var start = new Barrier(threads);
        var workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            workers[t] = new Thread(() =>
            {
                start.SignalAndWait();
                long mine = 0;
                for (int i = 0; i < attemptsPerThread; i++)
                {
                    if (attempt())
                        mine++;
                }

                Interlocked.Add(ref total, mine);
            });
            workers[t].Start();
        }

        foreach (var worker in workers)
            worker.Join();
        return total;
    }
}
