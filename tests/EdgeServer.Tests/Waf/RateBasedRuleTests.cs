using System.Buffers;
using System.Net;
using System.Text;
using EdgeServer.Policy.Waf;
using EdgeServer.Policy.Waf.Evaluation;
using EdgeServer.Policy.Waf.Statements;
using EdgeServer.Protocol.Http1;
using EdgeServer.Tests.Upstream;
using EdgeServer.Waf.Compiler;

namespace EdgeServer.Tests.Waf;

/// <summary>
/// Rate-based rules compiled from rule files: counting on the daemon's clock (a fake one here), count mode, and what a
/// reload keeps: an unchanged rule keeps its counters, a changed one starts afresh.
/// </summary>
public sealed class RateBasedRuleTests(WafTestFiles files) : IClassFixture<WafTestFiles>
{
    private readonly FakeTimeProvider _clock = new();
    private readonly WafCounterRegistry _counters = new();

    private static string Rules(string limit = "3", string key = "AggregateKeyType: IP", string scopeDown = "", string action = "Block: {}", string name = "per-ip", string acl = "test", string other = "/admin") => $$"""
        Name: {{acl}}
        DefaultAction: { Allow: {} }
        Rules:
          - Name: no-admin
            Priority: 1
            Action: { Block: {} }
            Statement: { ByteMatchStatement: { SearchString: {{other}}, PositionalConstraint: STARTS_WITH, FieldToMatch: { UriPath: {} } } }
          - Name: {{name}}
            Priority: 2
            Action: { {{action}} }
            Statement:
              RateBasedStatement:
                Limit: {{limit}}
                EvaluationWindowSec: 60
                {{key}}
                {{scopeDown}}
        """;

    private WafCompileResult Compile(string yaml, WebAcl? previous = null, string file = "rules.yaml")
    {
        var result = WafCompiler.CompileFile(files.Write(file, yaml), _counters, DateTimeOffset.UtcNow, previous, _clock);
        Assert.True(result.Ok, string.Join("\n", result.Errors));
        return result;
    }

    private static WafVerdict Evaluate(WebAcl acl, string request, string ip = "203.0.113.7")
    {
        var limits = HttpParserLimits.Default;
        var head = new RequestHead(limits);
        Assert.Equal(ParseStatus.Complete, Http1RequestParser.TryParse(new ReadOnlySequence<byte>(Encoding.Latin1.GetBytes(request)), head, limits, out _));
        return acl.Evaluate(new WafRequest(head, IPAddress.Parse(ip).GetAddressBytes()), null, DateTimeOffset.UtcNow);
    }

    private static int Blocked(WebAcl acl, int count, string request, string ip = "203.0.113.7")
    {
        var blocked = 0;
        for (var i = 0; i < count; i++) blocked += Evaluate(acl, request, ip).Blocked ? 1 : 0;
        return blocked;
    }

    private static string Get(string target, string headers = "") => $"GET {target} HTTP/1.1\r\nHost: a\r\n{headers}\r\n";

    [Fact]
    public void A_compiled_rule_blocks_a_key_over_its_limit_until_the_window_refills_it()
    {
        var acl = Compile(Rules()).Acl!;
        Assert.Equal(0, Blocked(acl, 3, Get("/")));
        var fourth = Evaluate(acl, Get("/"));
        Assert.Equal(("per-ip", 403), (fourth.Rule?.Name, fourth.Response?.Status));
        Assert.Equal(0, Blocked(acl, 3, Get("/"), "203.0.113.8"));
        // 3 per 60 s: one more every 20 s.
        _clock.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(1, Blocked(acl, 2, Get("/")));
    }

    [Fact]
    public void Header_keys_from_a_rule_file()
    {
        var acl = Compile(Rules(limit: "2", key: """
            AggregateKeyType: CUSTOM_KEYS
                    CustomKeys: [{ Header: { Name: X-Api-Key, TextTransformations: [{ Priority: 0, Type: NONE }] } }]
            """)).Acl!;
        Assert.Equal(1, Blocked(acl, 3, Get("/", "X-Api-Key: k1\r\n")));
        // Another key, from the same address: its own counter; no key: never counted.
        Assert.Equal(0, Blocked(acl, 2, Get("/", "X-Api-Key: k2\r\n")));
        Assert.Equal(0, Blocked(acl, 10, Get("/")));
    }

    [Fact]
    public void A_scope_down_limits_what_is_counted()
    {
        var acl = Compile(Rules(limit: "1", scopeDown: """
            ScopeDownStatement: { ByteMatchStatement: { SearchString: /api/, PositionalConstraint: STARTS_WITH, FieldToMatch: { UriPath: {} } } }
            """)).Acl!;
        Assert.Equal(0, Blocked(acl, 10, Get("/home")));
        Assert.Equal(1, Blocked(acl, 2, Get("/api/orders")));
        Assert.Equal(0, Blocked(acl, 2, Get("/home")));
    }

    [Fact]
    public void Count_mode_counts_the_matches_and_lets_every_request_through()
    {
        var acl = Compile(Rules(action: "Count: {}")).Acl!;
        Assert.Equal(0, Blocked(acl, 10, Get("/")));
        Assert.Equal(7, acl.Rules.Single(r => r.Name == "per-ip").Counters.Matches);
        // Later rules still run on requests the rate rule counted.
        Assert.Equal("no-admin", Evaluate(acl, Get("/admin")).Rule?.Name);
    }

    [Fact]
    public void A_reload_of_an_unchanged_rule_keeps_its_counters()
    {
        var first = Compile(Rules());
        Assert.Equal(0, first.RateLimitersCarriedOver);
        Assert.Equal(1, Blocked(first.Acl!, 4, Get("/")));

        // Another rule of the file changed; this one did not.
        var second = Compile(Rules(other: "/private"), first.Acl);
        Assert.Equal(1, second.RateLimitersCarriedOver);
        Assert.Same(Limiter(first.Acl!), Limiter(second.Acl!));
        Assert.True(Evaluate(second.Acl!, Get("/")).Blocked);
        // Matches keep counting into the same cells across the reload.
        Assert.Equal(2, second.Acl!.Rules.Single(r => r.Name == "per-ip").Counters.Matches);
    }

    [Theory]
    [InlineData("limit")]
    [InlineData("key")]
    [InlineData("scope-down")]
    [InlineData("rule name")]
    [InlineData("acl name")]
    public void A_reload_that_changes_the_rule_starts_it_afresh(string change)
    {
        var first = Compile(Rules());
        Assert.Equal(1, Blocked(first.Acl!, 4, Get("/")));
        var changed = change switch
        {
            "limit" => Rules(limit: "4"),
            "key" => Rules(key: "AggregateKeyType: CONSTANT"),
            "scope-down" => Rules(scopeDown: "ScopeDownStatement: { ByteMatchStatement: { SearchString: /, PositionalConstraint: STARTS_WITH, FieldToMatch: { UriPath: {} } } }"),
            "rule name" => Rules(name: "per-client"),
            _ => Rules(acl: "renamed"),
        };
        var second = Compile(changed, first.Acl);
        Assert.Equal(0, second.RateLimitersCarriedOver);
        Assert.NotSame(Limiter(first.Acl!), Limiter(second.Acl!));
        Assert.False(Evaluate(second.Acl!, Get("/")).Blocked);
    }

    [Fact]
    public void A_reload_on_another_clock_starts_afresh()
    {
        var first = Compile(Rules());
        var other = WafCompiler.CompileFile(files.Write("rules.yaml", Rules()), _counters, DateTimeOffset.UtcNow, first.Acl, new FakeTimeProvider());
        Assert.Equal(0, other.RateLimitersCarriedOver);
    }

    private static Policy.RateLimiting.KeyedRateLimiter Limiter(WebAcl acl) =>
        ((RateBasedStatement)acl.Rules.Single(r => r.Statement is RateBasedStatement).Statement).Limiter;
}
