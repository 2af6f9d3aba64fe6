using EdgeServer.Policy.Tests.RateLimiting;
using EdgeServer.Policy.Waf.Fields;
using EdgeServer.Policy.Waf.RateBased;
using EdgeServer.Policy.Waf.Statements;
using EdgeServer.Policy.Waf.Transforms;
using static EdgeServer.Policy.Tests.Waf.RateBased.RateBasedRequests;

namespace EdgeServer.Policy.Tests.Waf.RateBased;

/// <summary>A rate-based rule on the request path allocates nothing once its key is tracked, whatever it keys on.</summary>
public sealed class RateBasedAllocationTests
{
    public static TheoryData<string> Keys() => ["ip", "constant", "forwarded", "custom"];

    [Theory]
    [MemberData(nameof(Keys))]
    public void Evaluating_allocates_nothing(string kind)
    {
        var clock = new ManualClock();
        var forwarded = new ForwardedIpConfig("X-Forwarded-For", false, ForwardedIpPosition.First, null);
        var key = kind switch
        {
            "ip" => RateAggregateKey.Ip,
            "constant" => RateAggregateKey.Constant,
            "forwarded" => RateAggregateKey.ForwardedIp(forwarded),
            _ => RateAggregateKey.Custom([new HeaderKeyComponent("X-Api-Key", [TextTransformationType.Lowercase]), new UriPathKeyComponent([TextTransformationType.UrlDecode]),
                new CookieKeyComponent("session", []), new QueryArgumentKeyComponent("user", []), new ForwardedIpKeyComponent(forwarded)]),
        };
        var scopeDown = new TextMatchStatement(new TextInspection(new MethodField(), [], new ByteMatchPredicate("POST", PositionalConstraint.Exactly)));
        var acl = Acl(Statement(clock, 1_000_000_000, key, scopeDown, windowSeconds: 1));
        var head = Parse(Post("/login?user=bob", "X-Api-Key: ABC\r\nCookie: session=s1\r\nX-Forwarded-For: 198.51.100.9, 10.0.0.1\r\n"));
        var address = Address("10.0.0.1");
        for (var i = 0; i < 100; i++) Evaluate(acl, head, address);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++) Evaluate(acl, head, address);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [InlineData("198.51.100.9", new byte[] { 198, 51, 100, 9 })]
    [InlineData("0.0.0.0", new byte[] { 0, 0, 0, 0 })]
    [InlineData("255.255.255.255", new byte[] { 255, 255, 255, 255 })]
    public void Dotted_quads_parse_in_place(string text, byte[] expected)
    {
        var bytes = new byte[4];
        Assert.True(ForwardedIpConfig.TryParseDottedQuad(System.Text.Encoding.ASCII.GetBytes(text), bytes));
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData("256.1.1.1")]
    [InlineData("1.2.3")]
    [InlineData("1.2.3.4.5")]
    [InlineData("01.2.3.4")]   // octal to IPAddress: left to the general parser
    [InlineData("1..3.4")]
    [InlineData("1.2.3.")]
    [InlineData("1.2.3.4 ")]
    [InlineData("1234.1.1.1")]
    [InlineData("::1")]
    public void Anything_but_a_plain_dotted_quad_is_left_to_the_general_parser(string text) =>
        Assert.False(ForwardedIpConfig.TryParseDottedQuad(System.Text.Encoding.ASCII.GetBytes(text), new byte[4]));
}
