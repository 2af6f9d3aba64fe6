using EdgeServer.Policy.Waf.Evaluation;

namespace EdgeServer.Policy.Waf.Statements;

/// <summary>The client address (or a forwarded one) is in an IP set; AWS's IPSetReferenceStatement with a file instead of an ARN.</summary>
public sealed class IpSetStatement(string source, int ranges, Func<ReadOnlySpan<byte>, bool> contains, ForwardedIpConfig? forwarded) : WafStatement
{
    public string Source { get; } = source;

    public override bool Matches(ref WafContext context)
    {
        if (forwarded is null)
        {
            var address = context.Request.ClientAddress;
            return address.Length is 4 or 16 && contains(address);
        }
        Span<byte> slots = stackalloc byte[16 * ForwardedIpConfig.MaxAddresses];
        Span<int> lengths = stackalloc int[ForwardedIpConfig.MaxAddresses];
        var selected = forwarded.Select(ref context, slots, lengths);
        if (selected == 0) return forwarded.FallbackMatches;
        for (var i = 0; i < selected; i++)
        {
            if (contains(slots.Slice(i * 16, lengths[i]))) return true;
        }
        return false;
    }

    public override bool IsConnectionLevel => forwarded is null;
    public override int Cost => 1;
    public override string Describe() => $"IPSet {Source} ({ranges} ranges)" + (forwarded is null ? "" : $" from {forwarded.HeaderName}");
}
