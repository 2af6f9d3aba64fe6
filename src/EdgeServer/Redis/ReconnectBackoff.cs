namespace EdgeServer.Redis;

/// <summary>
/// The wait before reconnect attempt n: exponential (min·2ⁿ, capped at max) with "equal jitter" — half
/// of it fixed, half random — so a fleet of edge nodes that lost Redis together does not reconnect in
/// lockstep, yet no node retries in a tight loop.
/// </summary>
internal static class ReconnectBackoff
{
    /// <param name="random">Uniform in [0, 1).</param>
    public static TimeSpan Delay(int attempt, TimeSpan min, TimeSpan max, double random)
    {
        var exponent = Math.Clamp(attempt, 0, 30);
        var cap = Math.Min(max.Ticks, min.Ticks * (1L << exponent));
        var half = cap / 2;
        return TimeSpan.FromTicks(half + (long)(random * (cap - half)));
    }
}
