using System.Globalization;

namespace EdgeServer.Policy.ApiKeys;

/// <summary>
/// The quota window an instant falls in: when it started, when the quota resets (what a 429 reports), and an
/// <see cref="Index"/> that numbers the windows of a period so a counter can be keyed by (key, period, index) and
/// a new window starts from zero without anyone resetting it.
/// </summary>
/// <remarks>
/// Windows are calendar-aligned in UTC (as AWS API Gateway's usage plan quotas are), so every edge node and Redis
/// agree on them without coordination. Computed from ticks and <see cref="DateTime"/> arithmetic: no allocation,
/// cheap enough to call per request. Day and week are fixed lengths of ticks (0001-01-01 was a Monday, so
/// whole weeks counted from it start on Mondays, as ISO 8601 weeks do); months take the calendar's month lengths,
/// leap years included.
/// </remarks>
public readonly record struct QuotaWindow(QuotaPeriod Period, DateTimeOffset Start, DateTimeOffset Reset, long Index)
{
    private const long TicksPerWeek = 7 * TimeSpan.TicksPerDay;

    public static QuotaWindow For(QuotaPeriod period, DateTimeOffset now)
    {
        long ticks = now.UtcTicks;
        switch (period)
        {
            case QuotaPeriod.Day:
            {
                long day = ticks / TimeSpan.TicksPerDay;
                return Window(period, day * TimeSpan.TicksPerDay, TimeSpan.TicksPerDay, day);
            }
            case QuotaPeriod.Week:
            {
                long week = ticks / TicksPerWeek;
                return Window(period, week * TicksPerWeek, TicksPerWeek, week);
            }
            case QuotaPeriod.Month:
            {
                var utc = new DateTime(ticks, DateTimeKind.Utc);
                var start = new DateTime(utc.Year, utc.Month, 1, 0, 0, 0, DateTimeKind.Utc);
                long index = (utc.Year - 1) * 12L + utc.Month - 1;
                long length = TimeSpan.TicksPerDay * DateTime.DaysInMonth(utc.Year, utc.Month);
                return Window(period, start.Ticks, length, index);
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(period), period, null);
        }
    }

    /// <summary>The reset of the last window would lie past <see cref="DateTimeOffset.MaxValue"/>; it is clamped there.</summary>
    private static QuotaWindow Window(QuotaPeriod period, long startTicks, long lengthTicks, long index)
    {
        long resetTicks = startTicks > DateTimeOffset.MaxValue.UtcTicks - lengthTicks ? DateTimeOffset.MaxValue.UtcTicks : startTicks + lengthTicks;
        return new QuotaWindow(period, new DateTimeOffset(startTicks, TimeSpan.Zero), new DateTimeOffset(resetTicks, TimeSpan.Zero), index);
    }

    public bool Contains(DateTimeOffset instant) => instant >= Start && instant < Reset;

    /// <summary>Whole seconds until the reset, rounded up (a Retry-After or RateLimit reset value); 0 once it has passed.</summary>
    public long SecondsUntilReset(DateTimeOffset now)
    {
        long ticks = Reset.UtcTicks - now.UtcTicks;
        return ticks <= 0 ? 0 : (ticks + TimeSpan.TicksPerSecond - 1) / TimeSpan.TicksPerSecond;
    }

    /// <summary>A readable name for the window, for Redis keys and logs: 2024-02-29, 2024-W09, 2024-02. Allocates.</summary>
    public string Label => Period switch
    {
        QuotaPeriod.Day => Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        QuotaPeriod.Week => string.Create(CultureInfo.InvariantCulture, $"{ISOWeek.GetYear(Start.UtcDateTime):D4}-W{ISOWeek.GetWeekOfYear(Start.UtcDateTime):D2}"),
        QuotaPeriod.Month => Start.ToString("yyyy-MM", CultureInfo.InvariantCulture),
        _ => throw new InvalidOperationException($"unknown period {Period}"),
    };
}
