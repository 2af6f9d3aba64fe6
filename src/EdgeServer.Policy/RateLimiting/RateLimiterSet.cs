using System.Diagnostics.CodeAnalysis;

namespace EdgeServer.Policy.RateLimiting;

/// <summary>
/// The keyed limiters of one compiled config snapshot, by limit name. Building the next snapshot's set from the
/// previous one carries every unchanged limit's table over, object and counters, so a reload does not hand every
/// client a fresh burst.
/// </summary>
/// <remarks>
/// "Unchanged" is <see cref="RateLimitDefinition"/> equality (name, permits, period, burst, max keys) on the same
/// clock. Requests still running on the old snapshot and those on the new one then spend from the same buckets.
/// A changed limit starts empty: its old TATs were computed for another interval and capacity.
/// </remarks>
public sealed class RateLimiterSet
{
    private readonly Dictionary<string, KeyedRateLimiter> _byName;

    private RateLimiterSet(Dictionary<string, KeyedRateLimiter> byName, int carriedOver)
    {
        _byName = byName;
        CarriedOver = carriedOver;
    }

    public static RateLimiterSet Empty { get; } = new(new Dictionary<string, KeyedRateLimiter>(StringComparer.Ordinal), 0);

    public int Count => _byName.Count;

    /// <summary>How many limiters were taken over from the previous set with their state.</summary>
    public int CarriedOver { get; }

    public IEnumerable<KeyedRateLimiter> Limiters => _byName.Values;

    public KeyedRateLimiter this[string name] => _byName[name];

    /// <exception cref="ArgumentException">Two definitions share a name, or one is invalid for the clock.</exception>
    public static RateLimiterSet Build(IEnumerable<RateLimitDefinition> definitions, TimeProvider clock, RateLimiterSet? previous)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        ArgumentNullException.ThrowIfNull(clock);
        var byName = new Dictionary<string, KeyedRateLimiter>(StringComparer.Ordinal);
        int carried = 0;
        foreach (var definition in definitions)
        {
            if (byName.ContainsKey(definition.Name))
                throw new ArgumentException($"rate limit '{definition.Name}' is defined twice", nameof(definitions));
            if (previous is not null && previous._byName.TryGetValue(definition.Name, out var old)
                && old.Definition == definition && ReferenceEquals(old.Clock, clock))
            {
                byName.Add(definition.Name, old);
                carried++;
            }
            else
            {
                byName.Add(definition.Name, new KeyedRateLimiter(definition, clock));
            }
        }

        return new RateLimiterSet(byName, carried);
    }

    public bool TryGet(string name, [MaybeNullWhen(false)] out KeyedRateLimiter limiter) => _byName.TryGetValue(name, out limiter);
}
