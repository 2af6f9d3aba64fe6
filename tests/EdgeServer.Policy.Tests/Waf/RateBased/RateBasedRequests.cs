using System.Buffers;
using System.Net;
using System.Text;
using EdgeServer.Policy.RateLimiting;
using EdgeServer.Policy.Tests.RateLimiting;
using EdgeServer.Policy.Waf;
using EdgeServer.Policy.Waf.Evaluation;
using EdgeServer.Policy.Waf.RateBased;
using EdgeServer.Policy.Waf.Statements;
using EdgeServer.Protocol.Http1;

namespace EdgeServer.Policy.Tests.Waf.RateBased;

/// <summary>
/// What the rate-based tests share: one-rule web ACLs over a statement built directly on a limiter with a hand-moved
/// clock, and real requests parsed by the edge's HTTP/1.1 parser.
/// </summary>
internal static class RateBasedRequests
{
    public static RateBasedStatement Statement(ManualClock clock, long limit, RateAggregateKey key, WafStatement? scopeDown = null, int windowSeconds = 60, string rule = "rate") =>
        new(new KeyedRateLimiter(new RateLimitDefinition(rule, limit, TimeSpan.FromSeconds(windowSeconds), limit, 1024), clock), key, scopeDown);

    public static WebAcl Acl(WafStatement statement, WafAction? action = null, params WafRule[] before)
    {
        var rule = new WafRule("rate", 100, action ?? WafAction.Block, statement, [], "", new WafRuleMetadata(null, null, null), new WafRuleCounters());
        return new WebAcl("test", "inline", WafAction.Allow, [.. before, rule], new LabelTable([]), 0);
    }

    public static RequestHead Parse(string request)
    {
        var limits = HttpParserLimits.Default;
        var head = new RequestHead(limits);
        Assert.Equal(ParseStatus.Complete, Http1RequestParser.TryParse(new ReadOnlySequence<byte>(Encoding.Latin1.GetBytes(request)), head, limits, out _));
        return head;
    }

    public static string Get(string target, string headers = "") => $"GET {target} HTTP/1.1\r\nHost: a\r\n{headers}\r\n";

    public static string Post(string target, string headers = "") => $"POST {target} HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n{headers}\r\n";

    public static WafVerdict Evaluate(WebAcl acl, string request, string ip = "203.0.113.7") =>
        Evaluate(acl, Parse(request), ip);

    public static WafVerdict Evaluate(WebAcl acl, RequestHead head, string ip = "203.0.113.7") =>
        Evaluate(acl, head, Address(ip));

    public static WafVerdict Evaluate(WebAcl acl, RequestHead head, byte[] address) =>
        acl.Evaluate(new WafRequest(head, address), null, DateTimeOffset.UnixEpoch);

    /// <summary>The address as the proxy hands it over: 4 bytes for IPv4, IPv4-mapped IPv6 unmapped.</summary>
    public static byte[] Address(string ip)
    {
        var address = IPAddress.Parse(ip);
        return (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).GetAddressBytes();
    }

    /// <summary>How many of <paramref name="count"/> identical requests the ACL blocked.</summary>
    public static int Blocked(WebAcl acl, int count, string request, string ip = "203.0.113.7")
    {
        var head = Parse(request);
        var address = Address(ip);
        var blocked = 0;
        for (var i = 0; i < count; i++) blocked += Evaluate(acl, head, address).Blocked ? 1 : 0;
        return blocked;
    }
}
