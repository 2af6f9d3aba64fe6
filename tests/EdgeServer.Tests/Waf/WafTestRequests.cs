using System.Buffers;
using System.Net;
using System.Text;
using EdgeServer.Policy.Waf;
using EdgeServer.Policy.Waf.Evaluation;
using EdgeServer.Protocol.Http1;

namespace EdgeServer.Tests.Waf;

/// <summary>Raw requests parsed by the proxy's own parser and evaluated against a compiled ACL.</summary>
internal static class WafTestRequests
{
    public static string Get(string target, string headers = "") => $"GET {target} HTTP/1.1\r\nHost: a\r\n{headers}\r\n";

    public static WafVerdict Evaluate(WebAcl acl, string request, string ip = "203.0.113.7", ICountryResolver? countries = null, string body = "") =>
        Evaluate(acl, request, default, ip, countries, body);

    /// <param name="matched">One slot per rule: set for each rule that matched.</param>
    public static WafVerdict Evaluate(WebAcl acl, string request, Span<bool> matched, string ip = "203.0.113.7", ICountryResolver? countries = null, string body = "") =>
        acl.Evaluate(new WafRequest(Parse(request), IPAddress.Parse(ip).GetAddressBytes(), null, Encoding.Latin1.GetBytes(body)), countries, DateTimeOffset.UtcNow, matched);

    /// <summary>A request head parsed by the proxy's own parser; the test fails if it does not parse whole.</summary>
    public static RequestHead Parse(string request)
    {
        var limits = HttpParserLimits.Default;
        var head = new RequestHead(limits);
        Assert.Equal(ParseStatus.Complete, Http1RequestParser.TryParse(new ReadOnlySequence<byte>(Encoding.Latin1.GetBytes(request)), head, limits, out _));
        return head;
    }
}
