using EdgeServer.Policy.ApiKeys;

namespace EdgeServer.Policy.Tests.ApiKeys;

/// <summary>Calendar-aligned UTC quota windows: starts, resets and window numbers at the awkward edges.</summary>
public sealed class QuotaWindowTests
{
    private static DateTimeOffset Utc(int y, int m, int d, int h = 0, int min = 0, int s = 0) => new(y, m, d, h, min, s, TimeSpan.Zero);

    [Fact]
    public void A_day_runs_from_midnight_to_midnight_utc()
    {
        var w = QuotaWindow.For(QuotaPeriod.Day, Utc(2025, 6, 15, 13, 45, 10));
        Assert.Equal(Utc(2025, 6, 15), w.Start);
        Assert.Equal(Utc(2025, 6, 16), w.Reset);
        Assert.Equal("2025-06-15", w.Label);
        Assert.Equal(w, QuotaWindow.For(QuotaPeriod.Day, Utc(2025, 6, 15)));
        Assert.Equal(w.Index + 1, QuotaWindow.For(QuotaPeriod.Day, Utc(2025, 6, 16)).Index);
        Assert.Equal(w.Index, QuotaWindow.For(QuotaPeriod.Day, Utc(2025, 6, 16).AddTicks(-1)).Index);
    }

    [Fact]
    public void Local_offsets_are_converted_to_utc_first()
    {
        // 00:30 on 1 March in Paris (+01:00) is still 29 February in UTC.
        var w = QuotaWindow.For(QuotaPeriod.Day, new DateTimeOffset(2024, 3, 1, 0, 30, 0, TimeSpan.FromHours(1)));
        Assert.Equal(Utc(2024, 2, 29), w.Start);
        Assert.Equal(Utc(2024, 3, 1), w.Reset);
        Assert.Equal(TimeSpan.Zero, w.Start.Offset);
        var m = QuotaWindow.For(QuotaPeriod.Month, new DateTimeOffset(2024, 12, 31, 20, 0, 0, TimeSpan.FromHours(-5)));
        Assert.Equal(Utc(2025, 1, 1), m.Start); // 01:00 UTC on 1 January
    }

    [Theory]
    [InlineData(2024, 1, 1, 2024, 1, 1)]   // a Monday
    [InlineData(2024, 1, 7, 2024, 1, 1)]   // the Sunday after
    [InlineData(2024, 1, 8, 2024, 1, 8)]
    [InlineData(2025, 1, 1, 2024, 12, 30)] // a Wednesday whose week began the year before
    [InlineData(2021, 1, 3, 2020, 12, 28)] // Sunday 3 Jan 2021 is in ISO week 2020-W53
    [InlineData(2024, 2, 29, 2024, 2, 26)]
    public void A_week_starts_on_monday(int y, int m, int d, int sy, int sm, int sd)
    {
        var w = QuotaWindow.For(QuotaPeriod.Week, Utc(y, m, d, 23, 59, 59));
        Assert.Equal(Utc(sy, sm, sd), w.Start);
        Assert.Equal(DayOfWeek.Monday, w.Start.DayOfWeek);
        Assert.Equal(Utc(sy, sm, sd).AddDays(7), w.Reset);
    }

    [Fact]
    public void Week_labels_are_iso_weeks_and_indices_count_weeks()
    {
        Assert.Equal("2020-W53", QuotaWindow.For(QuotaPeriod.Week, Utc(2021, 1, 3)).Label);
        Assert.Equal("2021-W01", QuotaWindow.For(QuotaPeriod.Week, Utc(2021, 1, 4)).Label);
        Assert.Equal("2025-W01", QuotaWindow.For(QuotaPeriod.Week, Utc(2024, 12, 30)).Label);
        var sunday = QuotaWindow.For(QuotaPeriod.Week, Utc(2024, 1, 7, 23, 59, 59));
        var monday = QuotaWindow.For(QuotaPeriod.Week, Utc(2024, 1, 8));
        Assert.Equal(sunday.Index + 1, monday.Index);
        Assert.Equal(sunday.Reset, monday.Start);
    }

    [Theory]
    [InlineData(2024, 2, 29, 2024, 3, 1)] // leap year
    [InlineData(2023, 2, 28, 2023, 3, 1)]
    [InlineData(2000, 2, 29, 2000, 3, 1)] // divisible by 400: leap
    [InlineData(2100, 2, 28, 2100, 3, 1)] // divisible by 100: not
    [InlineData(2025, 1, 31, 2025, 2, 1)]
    [InlineData(2025, 4, 30, 2025, 5, 1)]
    [InlineData(2025, 12, 31, 2026, 1, 1)] // year end
    public void A_month_ends_on_its_calendar_last_day(int y, int m, int d, int ry, int rm, int rd)
    {
        var lastSecond = Utc(y, m, d, 23, 59, 59);
        var w = QuotaWindow.For(QuotaPeriod.Month, lastSecond);
        Assert.Equal(Utc(y, m, 1), w.Start);
        Assert.Equal(Utc(ry, rm, rd), w.Reset);
        Assert.Equal(1, w.SecondsUntilReset(lastSecond));
        var next = QuotaWindow.For(QuotaPeriod.Month, w.Reset);
        Assert.Equal(w.Index + 1, next.Index);
        Assert.Equal(w.Reset, next.Start);
    }

    [Fact]
    public void February_has_29_days_in_a_leap_year()
    {
        var leap = QuotaWindow.For(QuotaPeriod.Month, Utc(2024, 2, 10));
        Assert.Equal(TimeSpan.FromDays(29), leap.Reset - leap.Start);
        Assert.Equal("2024-02", leap.Label);
        var common = QuotaWindow.For(QuotaPeriod.Month, Utc(2023, 2, 10));
        Assert.Equal(TimeSpan.FromDays(28), common.Reset - common.Start);
    }

    [Fact]
    public void Month_indices_run_across_year_ends()
    {
        Assert.Equal(QuotaWindow.For(QuotaPeriod.Month, Utc(2024, 12, 5)).Index + 1, QuotaWindow.For(QuotaPeriod.Month, Utc(2025, 1, 5)).Index);
        Assert.Equal(2025 * 12 - 12, QuotaWindow.For(QuotaPeriod.Month, Utc(2025, 1, 5)).Index);
    }

    [Fact]
    public void Seconds_until_reset_round_up_and_stop_at_zero()
    {
        var w = QuotaWindow.For(QuotaPeriod.Day, Utc(2025, 6, 15));
        Assert.Equal(86_400, w.SecondsUntilReset(w.Start));
        Assert.Equal(1, w.SecondsUntilReset(w.Reset.AddTicks(-1)));
        Assert.Equal(2, w.SecondsUntilReset(w.Reset.AddSeconds(-1.5)));
        Assert.Equal(0, w.SecondsUntilReset(w.Reset));
        Assert.Equal(0, w.SecondsUntilReset(w.Reset.AddHours(1)));
        Assert.True(w.Contains(w.Start));
        Assert.False(w.Contains(w.Reset));
    }

    [Fact]
    public void Every_instant_of_a_year_lies_in_its_window_and_windows_tile_time()
    {
        foreach (var period in Enum.GetValues<QuotaPeriod>())
        {
            QuotaWindow? previous = null;
            for (var t = Utc(2023, 12, 1); t < Utc(2025, 2, 1); t = t.AddHours(7))
            {
                var w = QuotaWindow.For(period, t);
                Assert.True(w.Contains(t), $"{period} {t:O}");
                Assert.Equal(TimeSpan.Zero, w.Start.TimeOfDay);
                if (previous is { } p && p.Index != w.Index)
                {
                    Assert.Equal(p.Index + 1, w.Index);
                    Assert.Equal(p.Reset, w.Start);
                }
                previous = w;
            }
        }
    }

    [Fact]
    public void The_calendar_edges_of_time_do_not_overflow()
    {
        var last = QuotaWindow.For(QuotaPeriod.Month, DateTimeOffset.MaxValue);
        Assert.Equal(Utc(9999, 12, 1), last.Start);
        Assert.Equal(DateTimeOffset.MaxValue, last.Reset);
        var first = QuotaWindow.For(QuotaPeriod.Week, DateTimeOffset.MinValue);
        Assert.Equal(DateTimeOffset.MinValue, first.Start);
        Assert.Equal(DayOfWeek.Monday, first.Start.DayOfWeek);
    }
}
