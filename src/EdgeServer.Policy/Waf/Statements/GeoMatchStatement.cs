using EdgeServer.Policy.Waf.Evaluation;

namespace EdgeServer.Policy.Waf.Statements;

/// <summary>
/// The client's country is one of a set. Like AWS WAF, evaluating it labels the request with the country
/// (geo:country:XX) whether or not it matches, so later rules can match on the label.
/// </summary>
public sealed class GeoMatchStatement(ushort[] countries, ForwardedIpConfig? forwarded, Func<ushort, int> countryLabel) : WafStatement
{
    private readonly HashSet<ushort> _countries = [.. countries];

    public IReadOnlyCollection<ushort> Countries => _countries;

    public override bool Matches(ref WafContext context)
    {
        if (forwarded is null)
        {
            if (context.ClientCountry is not { } country) return false;
            context.AddLabel(countryLabel(country));
            return _countries.Contains(country);
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
            context.AddLabel(countryLabel(country));
            matched |= _countries.Contains(country);
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
