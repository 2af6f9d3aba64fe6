using System.Buffers;
using EdgeServer.Config.Model;

namespace EdgeServer.Upstream;

/// <summary>
/// Picks a destination by policy among the healthy ones, avoiding <c>exclude</c> (the destination a
/// retry just failed on) when any other is healthy. No allocation: candidates are indexes collected
/// on the stack. Clusters are small (a handful to dozens of destinations), so one linear scan per pick
/// is cheaper than keeping a healthy-set up to date.
/// No panic mode: when nothing is healthy the answer is null (503), not "send to everything anyway";
/// an ejected or probed-down backend is taken at its word.
/// </summary>
internal sealed class LoadBalancer(LoadBalancingPolicy policy, Destination[] destinations)
{
    /// <summary>Up to this many destinations the candidate list lives on the stack; beyond, a pooled array.</summary>
    private const int StackCandidates = 64;

    private int _roundRobin = -1;

    public Destination? Pick(Destination? exclude)
    {
        var all = destinations;
        if (all.Length <= StackCandidates) return Pick(exclude, stackalloc int[all.Length]);

        var rented = ArrayPool<int>.Shared.Rent(all.Length);
        try
        {
            return Pick(exclude, rented.AsSpan(0, all.Length));
        }
        finally
        {
            ArrayPool<int>.Shared.Return(rented);
        }
    }

    private Destination? Pick(Destination? exclude, Span<int> candidates)
    {
        var all = destinations;
        var count = 0;
        var excludedIsHealthy = false;
        for (var i = 0; i < all.Length; i++)
        {
            var destination = all[i];
            if (!destination.IsHealthy) continue;
            if (ReferenceEquals(destination, exclude))
            {
                excludedIsHealthy = true;
                continue;
            }
            candidates[count++] = i;
        }

        if (count == 0) return excludedIsHealthy ? exclude : null;
        if (count == 1) return all[candidates[0]];

        if (policy == LoadBalancingPolicy.PowerOfTwoChoices)
        {
            // Two distinct candidates at random; the one with fewer requests in flight wins (ties: the first).
            var first = Random.Shared.Next(count);
            var second = Random.Shared.Next(count - 1);
            if (second >= first) second++;
            var a = all[candidates[first]];
            var b = all[candidates[second]];
            return b.InFlight < a.InFlight ? b : a;
        }

        // Round robin over the healthy candidates (not over all destinations and skipping the unhealthy
        // ones, which would hand an unhealthy destination's turns to its neighbour).
        var turn = (uint)Interlocked.Increment(ref _roundRobin);
        return all[candidates[(int)(turn % (uint)count)]];
    }
}
