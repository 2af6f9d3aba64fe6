using EdgeServer.Policy.Tests.RateLimiting;
using EdgeServer.Policy.Waf;
using EdgeServer.Policy.Waf.Fields;
using EdgeServer.Policy.Waf.RateBased;
using EdgeServer.Policy.Waf.Statements;
using EdgeServer.Policy.Waf.Transforms;
using static EdgeServer.Policy.Tests.Waf.RateBased.RateBasedRequests;

namespace EdgeServer.Policy.Tests.Waf.RateBased;

/// <summary>
/// RateBasedStatement as requests meet it: what is counted, under which key, when it matches, and how the count drains,
/// on a clock the tests move by hand.
/// </summary>
public sealed class RateBasedStatementTests
{
    private readonly ManualClock _clock = new();

    private static TextMatchStatement MethodIs(string method) =>
        new(new TextInspection(new MethodField(), [], new ByteMatchPredicate(method, PositionalConstraint.Exactly)));

    private static TextMatchStatement PathIs(string path) =>
        new(new TextInspection(new UriPathField(), [TextTransformationType.Lowercase], new ByteMatchPredicate(path, PositionalConstraint.Exactly)));

    [Fact]
    public void Limit_requests_pass_at_once_and_the_next_one_matches()
    {
        var acl = Acl(Statement(_clock, 5, RateAggregateKey.Ip));
        for (var i = 1; i <= 5; i++) Assert.False(Evaluate(acl, Get("/")).Blocked, $"request {i}");
        var sixth = Evaluate(acl, Get("/"));
        Assert.True(sixth.Blocked);
        Assert.Equal("rate", sixth.Rule?.Name);
        Assert.Equal(1, acl.Rules[0].Counters.Matches);
    }

    [Fact]
    public void The_count_drains_at_limit_per_window_and_refused_requests_are_not_counted()
    {
        var acl = Acl(Statement(_clock, 5, RateAggregateKey.Ip, windowSeconds: 60));
        Assert.Equal(0, Blocked(acl, 5, Get("/")));
        // Hammering a key over its limit does not push its recovery further away.
        Assert.Equal(100, Blocked(acl, 100, Get("/")));
        _clock.Advance(TimeSpan.FromSeconds(11.9));
        Assert.Equal(1, Blocked(acl, 1, Get("/")));
        // One permit comes back every window / limit = 12 s.
        _clock.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Equal(1, Blocked(acl, 2, Get("/")));
        _clock.Advance(TimeSpan.FromSeconds(24));
        Assert.Equal(1, Blocked(acl, 3, Get("/")));
        // A full window of quiet: the whole burst again.
        _clock.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(1, Blocked(acl, 6, Get("/")));
    }

    [Fact]
    public void Ip_keys_count_each_client_apart_and_a_constant_key_counts_everyone_together()
    {
        var perIp = Acl(Statement(_clock, 3, RateAggregateKey.Ip));
        Assert.Equal(2, Blocked(perIp, 5, Get("/"), "198.51.100.1"));
        Assert.Equal(2, Blocked(perIp, 5, Get("/"), "198.51.100.2"));
        Assert.Equal(0, Blocked(perIp, 3, Get("/"), "2001:db8::1"));
        // An IPv4-mapped IPv6 peer (16 bytes, as a dual-stack socket reports it) is the IPv4 client it is.
        Assert.True(Evaluate(perIp, Parse(Get("/")), System.Net.IPAddress.Parse("::ffff:198.51.100.1").GetAddressBytes()).Blocked);

        var constant = Acl(Statement(_clock, 3, RateAggregateKey.Constant));
        Assert.Equal(0, Blocked(constant, 2, Get("/"), "198.51.100.1"));
        Assert.Equal(0, Blocked(constant, 1, Get("/"), "198.51.100.2"));
        Assert.Equal(1, Blocked(constant, 1, Get("/"), "2001:db8::1"));
    }

    [Fact]
    public void Only_requests_the_scope_down_matches_are_counted()
    {
        var acl = Acl(Statement(_clock, 2, RateAggregateKey.Ip, new AndStatement([MethodIs("POST"), PathIs("/login")])));
        Assert.Equal(0, Blocked(acl, 50, Get("/login")));
        Assert.Equal(0, Blocked(acl, 50, Post("/other")));
        Assert.Equal(0, Blocked(acl, 2, Post("/LOGIN")));
        Assert.Equal(1, Blocked(acl, 1, Post("/login")));
        // Over the limit, requests outside the scope still pass.
        Assert.Equal(0, Blocked(acl, 5, Get("/login")));
    }

    [Fact]
    public void Header_keys_count_per_value_and_requests_without_the_header_are_not_counted()
    {
        var key = RateAggregateKey.Custom([new HeaderKeyComponent("X-Api-Key", [])]);
        var acl = Acl(Statement(_clock, 2, key));
        Assert.Equal(1, Blocked(acl, 3, Get("/", "X-Api-Key: alpha\r\n")));
        Assert.Equal(1, Blocked(acl, 3, Get("/", "x-api-key: beta\r\n")));
        Assert.Equal(0, Blocked(acl, 20, Get("/")));
        // Values compare as bytes: ALPHA is another key, unless a transformation folds it.
        Assert.Equal(0, Blocked(acl, 2, Get("/", "X-Api-Key: ALPHA\r\n")));
        var folded = Acl(Statement(_clock, 2, RateAggregateKey.Custom([new HeaderKeyComponent("X-Api-Key", [TextTransformationType.Lowercase])])));
        Assert.Equal(2, Blocked(folded, 4, Get("/", "X-Api-Key: alpha\r\n")));
        Assert.Equal(1, Blocked(folded, 1, Get("/", "X-Api-Key: ALPHA\r\n")));
    }

    [Fact]
    public void Custom_keys_combine_components_without_ambiguity()
    {
        var key = RateAggregateKey.Custom([new HeaderKeyComponent("A", []), new HeaderKeyComponent("B", [])]);
        var acl = Acl(Statement(_clock, 1, key));
        Assert.False(Evaluate(acl, Get("/", "A: ab\r\nB: c\r\n")).Blocked);
        // The same bytes split differently are another key.
        Assert.False(Evaluate(acl, Get("/", "A: a\r\nB: bc\r\n")).Blocked);
        Assert.True(Evaluate(acl, Get("/", "A: ab\r\nB: c\r\n")).Blocked);
        // Any component missing: not counted, never matched.
        Assert.Equal(0, Blocked(acl, 5, Get("/", "A: ab\r\n")));
    }

    [Fact]
    public void Every_custom_key_component_reads_its_part_of_the_request()
    {
        (RateKeyComponent Component, string Counted, string Same, string Other, string? Missing)[] cases =
        [
            (new CookieKeyComponent("session", []), Get("/", "Cookie: theme=dark; session=s1\r\n"), Get("/x", "Cookie: session=s1\r\n"), Get("/", "Cookie: session=s2; theme=dark\r\n"), Get("/", "Cookie: Session=s1\r\n")),
            (new QueryArgumentKeyComponent("user", []), Get("/?a=1&user=bob"), Get("/y?USER=bob"), Get("/?user=eve"), Get("/?username=bob")),
            (new QueryStringKeyComponent([]), Get("/?q=1"), Get("/other?q=1"), Get("/?q=2"), Get("/")),
            (new UriPathKeyComponent([TextTransformationType.UrlDecode, TextTransformationType.NormalizePath]), Get("/a/b"), Get("/x/../a/%62"), Get("/a/c"), null),
            (new HttpMethodKeyComponent(), Get("/"), Get("/elsewhere"), Post("/"), null),
            (new IpKeyComponent(), Get("/"), Get("/z"), Get("/"), null),
        ];
        foreach (var (component, counted, same, other, missing) in cases)
        {
            var acl = Acl(Statement(new ManualClock(), 1, RateAggregateKey.Custom([component])));
            var name = component.Describe();
            Assert.False(Evaluate(acl, counted).Blocked, name);
            Assert.True(Evaluate(acl, same).Blocked, name);
            Assert.False(Evaluate(acl, other, component is IpKeyComponent ? "203.0.113.8" : "203.0.113.7").Blocked, name);
            if (missing is not null) Assert.Equal(0, Blocked(acl, 3, missing));
        }
    }

    [Fact]
    public void Forwarded_ip_keys_use_the_trusted_header_and_fall_back_as_configured()
    {
        static bool FromProxy(ReadOnlySpan<byte> peer) => peer.Length == 4 && peer[0] == 10;
        var noMatch = Acl(Statement(_clock, 1, RateAggregateKey.ForwardedIp(new ForwardedIpConfig("X-Forwarded-For", false, ForwardedIpPosition.First, FromProxy))));
        const string Proxy = "10.0.0.5";
        Assert.False(Evaluate(noMatch, Get("/", "X-Forwarded-For: 198.51.100.9, 10.0.0.1\r\n"), Proxy).Blocked);
        Assert.True(Evaluate(noMatch, Get("/", "X-Forwarded-For: 198.51.100.9\r\n"), "10.0.0.6").Blocked);
        Assert.False(Evaluate(noMatch, Get("/", "X-Forwarded-For: 198.51.100.10\r\n"), Proxy).Blocked);
        // IPv6 and IPv4 written in forms other than a dotted quad still key the client.
        Assert.False(Evaluate(noMatch, Get("/", "X-Forwarded-For: 2001:db8::9\r\n"), Proxy).Blocked);
        Assert.True(Evaluate(noMatch, Get("/", "X-Forwarded-For: 2001:DB8:0::9\r\n"), Proxy).Blocked);
        // Untrusted peer, missing or malformed header: NO_MATCH, so not counted and not matched.
        Assert.Equal(0, Blocked(noMatch, 3, Get("/", "X-Forwarded-For: 198.51.100.9\r\n"), "203.0.113.1"));
        Assert.Equal(0, Blocked(noMatch, 3, Get("/"), Proxy));
        Assert.Equal(0, Blocked(noMatch, 3, Get("/", "X-Forwarded-For: not-an-address\r\n"), Proxy));

        var match = Acl(Statement(_clock, 5, RateAggregateKey.ForwardedIp(new ForwardedIpConfig("X-Forwarded-For", true, ForwardedIpPosition.First, FromProxy))));
        Assert.True(Evaluate(match, Get("/"), Proxy).Blocked);
        Assert.Equal(0, match.Rules[0].Statement is RateBasedStatement s ? s.Limiter.CountActiveKeys(_clock.Now) : -1);
    }

    [Fact]
    public void Forwarded_and_peer_addresses_of_one_client_are_one_key()
    {
        // What lets a rule move from IP to FORWARDED_IP without changing what a key means: both are the daemon's client-IP key.
        var a = Acl(Statement(_clock, 1, RateAggregateKey.ForwardedIp(new ForwardedIpConfig("X-Forwarded-For", false, ForwardedIpPosition.First, null))));
        var b = Acl(Statement(_clock, 1, RateAggregateKey.Ip));
        Evaluate(a, Get("/", "X-Forwarded-For: 198.51.100.9\r\n"), "10.0.0.5");
        Evaluate(b, Get("/"), "198.51.100.9");
        var client = EdgeServer.Policy.RateLimiting.RateLimitKey.OfClientIp([198, 51, 100, 9]);
        foreach (var acl in new[] { a, b })
        {
            var limiter = ((RateBasedStatement)acl.Rules[0].Statement).Limiter;
            Assert.Equal(1, limiter.CountActiveKeys(_clock.Now));
            Assert.False(limiter.TryAcquire(client, 1, _clock.Now).Allowed);
        }
    }

    [Fact]
    public void Label_namespace_keys_count_per_label_set_added_by_earlier_rules()
    {
        var labels = new LabelTable([]);
        var red = labels.Intern("team:red");
        var blue = labels.Intern("team:blue");
        WafRule Labeller(string name, int priority, string header, int id) =>
            new(name, priority, WafAction.Count, new TextMatchStatement(new TextInspection(new SingleHeaderField(System.Text.Encoding.ASCII.GetBytes(header)), [], new ByteMatchPredicate("1", PositionalConstraint.Exactly))),
                [id], "", new WafRuleMetadata(null, null, null), new WafRuleCounters());
        var key = RateAggregateKey.Custom([new LabelNamespaceKeyComponent("team:", [(red, "team:red"u8.ToArray()), (blue, "team:blue"u8.ToArray())])]);
        var statement = Statement(_clock, 1, key);
        var rule = new WafRule("rate", 100, WafAction.Block, statement, [], "", new WafRuleMetadata(null, null, null), new WafRuleCounters());
        var acl = new WebAcl("test", "inline", WafAction.Allow, [Labeller("red", 1, "X-Red", red), Labeller("blue", 2, "X-Blue", blue), rule], labels, 0);

        Assert.Equal(0, Blocked(acl, 5, Get("/")));
        Assert.Equal(1, Blocked(acl, 2, Get("/", "X-Red: 1\r\n")));
        Assert.Equal(1, Blocked(acl, 2, Get("/", "X-Blue: 1\r\n")));
        Assert.Equal(1, Blocked(acl, 2, Get("/", "X-Red: 1\r\nX-Blue: 1\r\n")));
    }

    [Fact]
    public void A_count_rule_counts_and_lets_every_request_through_and_later_rules_still_run()
    {
        var statement = Statement(_clock, 3, RateAggregateKey.Ip);
        var acl = Acl(statement, WafAction.Count);
        Assert.Equal(0, Blocked(acl, 10, Get("/")));
        Assert.Equal(7, acl.Rules[0].Counters.Matches);
        Assert.Equal(1, statement.Limiter.CountActiveKeys(_clock.Now));
    }

    [Fact]
    public void One_evaluation_counts_a_request_once()
    {
        var statement = Statement(_clock, 10, RateAggregateKey.Ip);
        var acl = Acl(statement);
        Assert.Equal(0, Blocked(acl, 4, Get("/")));
        // Six permits left of ten: exactly four requests were counted.
        Assert.Equal(6, statement.Limiter.TryAcquire(EdgeServer.Policy.RateLimiting.RateLimitKey.OfClientIp([203, 0, 113, 7]), 0, _clock.Now).Remaining);
    }

    [Fact]
    public void Describe_names_the_rate_key_and_scope_for_explain()
    {
        var statement = Statement(_clock, 5, RateAggregateKey.Custom([new HeaderKeyComponent("X-Api-Key", [TextTransformationType.Lowercase]), new UriPathKeyComponent([])]), MethodIs("POST"));
        Assert.Equal("RateBased over 5 per 60s by CUSTOM_KEYS [Header(X-Api-Key) after LOWERCASE, UriPath] (burst 5, up to 1024 keys) where ByteMatch Exactly 'POST' in Method",
            statement.Describe().Replace("\"", "'", StringComparison.Ordinal));
        Assert.False(statement.IsConnectionLevel);
        Assert.True(statement.Cost > MethodIs("POST").Cost);
    }
}
