namespace EdgeServer.Upstream;

/// <summary>Conversions between durations and <see cref="TimeProvider"/> timestamp ticks.</summary>
internal static class Timestamps
{
    public static long FromTimeSpan(TimeSpan duration, TimeProvider timeProvider) =>
        duration <= TimeSpan.Zero ? 0 : (long)(duration.TotalSeconds * timeProvider.TimestampFrequency);
}
