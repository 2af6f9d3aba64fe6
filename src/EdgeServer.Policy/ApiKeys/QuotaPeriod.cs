namespace EdgeServer.Policy.ApiKeys;

/// <summary>How long a usage plan's quota lasts before it resets; every period is calendar-aligned in UTC.</summary>
public enum QuotaPeriod
{
    /// <summary>From 00:00 UTC to the next 00:00 UTC.</summary>
    Day,
    /// <summary>An ISO 8601 week: Monday 00:00 UTC to the next Monday 00:00 UTC.</summary>
    Week,
    /// <summary>The 1st of a month 00:00 UTC to the 1st of the next month.</summary>
    Month,
}
