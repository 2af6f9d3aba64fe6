namespace EdgeServer.Upstream;

/// <summary>Conversions between durations and <see cref="TimeProvider"/> timestamp ticks.</summary>
internal static class Timestamps
{
    /// <summary>Far beyond any configured duration, and far enough from long.MaxValue that now + it cannot overflow.</summary>
    private const long MaxTicks = long.MaxValue / 4;

    public static long FromTimeSpan(TimeSpan duration, TimeProvider timeProvider)
    {
        if (duration <= TimeSpan.Zero) return 0;
        var ticks = duration.TotalSeconds * timeProvider.TimestampFrequency;
        return ticks >= MaxTicks ? MaxTicks : (long)ticks;
    }
}
