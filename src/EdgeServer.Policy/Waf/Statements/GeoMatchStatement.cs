using EdgeServer.Policy.Waf.Evaluation;

namespace EdgeServer.Policy.Waf.Statements;

/// <summary>
/// The client's country is one of a set. Like AWS WAF, evaluating it labels the request with the country
/// (geo:country:XX) whether or not it matches, so later rules can match on the label.
/// </summary>
public sealed class GeoMatchStatement(ushort[] countries, ForwardedIpConfig? forwarded, Func<ushort, int> countryLabel) : WafStatement
{
    private readonly HashSet<ushort> _countries = [.. countries];

    /// <summary>
    /// The last country seen, its label id and whether it is in the set, packed in one word so threads read and
    /// write it whole: a connection's requests come from one country, and most traffic from a few, so the label
    /// table and the set are rarely consulted. 0 when nothing is cached (no country packs to 0).
    /// </summary>
    private long _last;

    private (int Label, bool Listed) Lookup(ushort country)
    {
        var last = Volatile.Read(ref _last);
        if ((ushort)(last >> 48) == country && last != 0) return ((int)last, ((last >> 32) & 1) != 0);
        var label = countryLabel(country);
        var listed = _countries.Contains(country);
        Volatile.Write(ref _last, ((long)country << 48) | ((listed ? 1L : 0L) << 32) | (uint)label);
        return (label, listed);
    }

    public IReadOnlyCollection<ushort> Countries => _countries;

    public override bool Matches(ref WafContext context)
    {
        if (forwarded is null)
        {
            if (context.ClientCountry is not { } country) return false;
            var (label, listed) = Lookup(country);
            context.AddLabel(label);
            return listed;
        }
        Span<byte> slots = stackalloc byte[16 * ForwardedIpConfig.MaxAddresses];
        Span<int> lengths = stackalloc int[ForwardedIpConfig.MaxAddresses];
        var selected = forwarded.Select(ref context, slots, lengths);
        if (selected == 0) return forwarded.FallbackMatches;
        var matched = false;
        for (var i = 0; i < selected; i++)
        {
            if (!context.TryResolveCountry(slots.Slice(i * 16, lengths[i]), out var country)) continue;
            if (i == 0) context.NoteForwardedCountry(country);
            var (label, listed) = Lookup(country);
            context.AddLabel(label);
            matched |= listed;
        }
        return matched;
    }

    public override bool IsConnectionLevel => forwarded is null;
    public override int Cost => 2;
    internal override bool HasSideEffects => true; // the country label
    public override string Describe() =>
        $"GeoMatch [{string.Join(",", _countries.Select(CountryCodes.Unpack).Order(StringComparer.Ordinal))}]" +
        (forwarded is null ? "" : $" from {forwarded.HeaderName}");
}
