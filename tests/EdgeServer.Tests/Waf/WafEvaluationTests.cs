using System.Buffers;
using System.Net;
using System.Text;
using EdgeServer.Policy.Waf;
using EdgeServer.Policy.Waf.Evaluation;
using EdgeServer.Protocol.Http1;
using EdgeServer.Waf.Compiler;
using static EdgeServer.Tests.Waf.WafTestRequests;

namespace EdgeServer.Tests.Waf;

/// <summary>Statements, fields and transformations as a request meets them, compiled from rule files.</summary>
public sealed class WafEvaluationTests(WafTestFiles files) : IClassFixture<WafTestFiles>
{
    private sealed class FixedCountry(string country) : ICountryResolver
    {
        public bool TryResolve(ReadOnlySpan<byte> address, out ushort code)
        {
            code = CountryCodes.Pack(country);
            return address.Length == 4 && address[0] == 81;
        }
    }

    private WebAcl Acl(string rules, string defaultAction = "Allow") => files.CompileAcl(rules, defaultAction);

    [Fact]
    public void Sqli_in_an_encoded_query_argument_is_blocked_after_url_decoding()
    {
        var acl = Acl("""
              - Name: sqli
                Priority: 1
                Action: { Block: {} }
                Statement:
                  SqliMatchStatement:
                    FieldToMatch: { AllQueryArguments: {} }
                    TextTransformations: [{ Priority: 0, Type: URL_DECODE }]
            """);
        Assert.True(Evaluate(acl, Get("/search?q=1%27%20OR%20%271%27%3D%271")).Blocked);
        Assert.False(Evaluate(acl, Get("/search?q=o%27brien%20street")).Blocked);
    }

    [Fact]
    public void Byte_match_positions_and_lowercase()
    {
        var acl = Acl("""
              - Name: admin
                Priority: 1
                Action: { Block: {} }
                Statement:
                  ByteMatchStatement:
                    SearchString: /admin
                    PositionalConstraint: STARTS_WITH
                    FieldToMatch: { UriPath: {} }
                    TextTransformations: [{ Priority: 1, Type: LOWERCASE }, { Priority: 0, Type: URL_DECODE }]
              - Name: word
                Priority: 2
                Action: { Block: {} }
                Statement:
                  ByteMatchStatement: { SearchString: curl, PositionalConstraint: CONTAINS_WORD, FieldToMatch: { SingleHeader: { Name: user-agent } } }
            """);
        Assert.Equal("admin", Evaluate(acl, Get("/%41DMIN/users")).Rule?.Name);
        Assert.Null(Evaluate(acl, Get("/public/admin")).Rule);
        Assert.Equal("word", Evaluate(acl, Get("/", "User-Agent: curl/8.0\r\n")).Rule?.Name);
        Assert.False(Evaluate(acl, Get("/", "User-Agent: curlish\r\n")).Blocked);
    }

    [Fact]
    public void Count_rules_label_and_later_rules_match_the_label()
    {
        var acl = Acl("""
              - Name: tag-bots
                Priority: 1
                Action: { Count: {} }
                RuleLabels: [{ Name: "client:bot" }]
                Statement: { ByteMatchStatement: { SearchString: bot, PositionalConstraint: CONTAINS, FieldToMatch: { SingleHeader: { Name: User-Agent } } } }
              - Name: bots-off-admin
                Priority: 2
                Action: { Block: {} }
                Statement:
                  AndStatement:
                    Statements:
                      - LabelMatchStatement: { Scope: NAMESPACE, Key: "client:" }
                      - ByteMatchStatement: { SearchString: /admin, PositionalConstraint: STARTS_WITH, FieldToMatch: { UriPath: {} } }
            """);
        Assert.Equal("bots-off-admin", Evaluate(acl, Get("/admin", "User-Agent: somebot\r\n")).Rule?.Name);
        Assert.False(Evaluate(acl, Get("/admin", "User-Agent: firefox\r\n")).Blocked);
        Assert.False(Evaluate(acl, Get("/home", "User-Agent: somebot\r\n")).Blocked);
        Assert.Equal(3, acl.Rules[0].Counters.Evaluations);
        Assert.Equal(2, acl.Rules[0].Counters.Matches);
    }

    [Fact]
    public void Evaluations_count_requests_that_reached_a_rule_across_recompiles_and_not_expired_skips()
    {
        const string rules = """
              - Name: block-admin
                Priority: 1
                Action: { Block: {} }
                Statement: { ByteMatchStatement: { SearchString: /admin, PositionalConstraint: STARTS_WITH, FieldToMatch: { UriPath: {} } } }
              - Name: count-api
                Priority: 2
                Action: { Count: {} }
                Statement: { ByteMatchStatement: { SearchString: /api, PositionalConstraint: STARTS_WITH, FieldToMatch: { UriPath: {} } } }
              - Name: expired
                Priority: 3
                Action: { Block: {} }
                Metadata: { Owner: sec, ExpiresAt: "2020-01-01T00:00:00Z" }
                Statement: { ByteMatchStatement: { SearchString: /, PositionalConstraint: STARTS_WITH, FieldToMatch: { UriPath: {} } } }
              - Name: block-old
                Priority: 4
                Action: { Block: {} }
                Statement: { ByteMatchStatement: { SearchString: /old, PositionalConstraint: STARTS_WITH, FieldToMatch: { UriPath: {} } } }
            """;
        var counters = new WafCounterRegistry();
        WebAcl Compile() => WafCompiler.CompileFile(files.Write($"{Guid.NewGuid():N}.yaml", $$"""
            Name: tally
            DefaultAction: { Allow: {} }
            Rules:
            {{rules}}
            """), counters, DateTimeOffset.UtcNow).Acl!;

        var first = Compile();
        foreach (var path in new[] { "/admin", "/api/x", "/old", "/home" }) Evaluate(first, Get(path));
        var second = Compile(); // a reload: same ACL and rule names, the same counter cells
        foreach (var path in new[] { "/admin", "/api/y" }) Evaluate(second, Get(path));

        long Evaluations(string rule) => counters.For("tally", rule).Evaluations;
        Assert.Equal(6, Evaluations("block-admin"));
        Assert.Equal(4, Evaluations("count-api"));
        Assert.Equal(2, counters.For("tally", "count-api").Matches);
        Assert.Equal(0, Evaluations("expired"));
        Assert.Equal(4, Evaluations("block-old"));
        Assert.Equal(1, counters.For("tally", "block-old").Matches);
    }

    [Fact]
    public void Empty_values_get_the_predicates_own_answer_for_empty_text()
    {
        // Empty values skip the transformations and the predicate (their answer is computed once at compile
        // time): a statement that matches empty text must still match an absent query or body.
        var acl = Acl("""
              - Name: no-query
                Priority: 1
                Action: { Count: {} }
                RuleLabels: [{ Name: "q:none" }]
                Statement: { RegexMatchStatement: { RegexString: "^$", FieldToMatch: { QueryString: {} }, TextTransformations: [{ Priority: 0, Type: URL_DECODE }] } }
              - Name: empty-body
                Priority: 2
                Action: { Count: {} }
                RuleLabels: [{ Name: "body:none" }]
                Statement: { SizeConstraintStatement: { FieldToMatch: { Body: {} }, ComparisonOperator: EQ, Size: 0 } }
              - Name: sqli
                Priority: 3
                Action: { Block: {} }
                Statement: { SqliMatchStatement: { FieldToMatch: { Body: {} } } }
              - Name: both
                Priority: 4
                Action: { Block: {} }
                Statement:
                  AndStatement:
                    Statements:
                      - LabelMatchStatement: { Scope: LABEL, Key: "q:none" }
                      - LabelMatchStatement: { Scope: LABEL, Key: "body:none" }
            """);
        Assert.Equal("both", Evaluate(acl, Get("/")).Rule?.Name);
        Assert.False(Evaluate(acl, Get("/?a=1")).Blocked);
        Assert.False(Evaluate(acl, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\n", body: "x").Blocked);
    }

    [Fact]
    public void Rules_sharing_a_transformation_chain_reuse_text_only_for_the_same_value()
    {
        // Four inspections with one chain: their transformed text is cached per value, so a cached User-Agent
        // must never answer for the Referer, the path, or a second User-Agent header.
        var acl = Acl("""
              - Name: ua
                Priority: 1
                Action: { Count: {} }
                RuleLabels: [{ Name: "seen:ua" }]
                Statement: { ByteMatchStatement: { SearchString: "curl", PositionalConstraint: CONTAINS, FieldToMatch: { SingleHeader: { Name: user-agent } }, TextTransformations: [{ Priority: 0, Type: URL_DECODE }, { Priority: 1, Type: LOWERCASE }] } }
              - Name: referer
                Priority: 2
                Action: { Count: {} }
                RuleLabels: [{ Name: "seen:referer" }]
                Statement: { ByteMatchStatement: { SearchString: "evil", PositionalConstraint: CONTAINS, FieldToMatch: { SingleHeader: { Name: referer } }, TextTransformations: [{ Priority: 0, Type: URL_DECODE }, { Priority: 1, Type: LOWERCASE }] } }
              - Name: any-header
                Priority: 3
                Action: { Count: {} }
                RuleLabels: [{ Name: "seen:any" }]
                Statement: { ByteMatchStatement: { SearchString: "wget", PositionalConstraint: CONTAINS, FieldToMatch: { Headers: { MatchPattern: { All: {} }, MatchScope: VALUE, OversizeHandling: CONTINUE } }, TextTransformations: [{ Priority: 0, Type: URL_DECODE }, { Priority: 1, Type: LOWERCASE }] } }
              - Name: path
                Priority: 4
                Action: { Count: {} }
                RuleLabels: [{ Name: "seen:path" }]
                Statement: { ByteMatchStatement: { SearchString: "/admin", PositionalConstraint: STARTS_WITH, FieldToMatch: { UriPath: {} }, TextTransformations: [{ Priority: 0, Type: URL_DECODE }, { Priority: 1, Type: LOWERCASE }] } }
              - Name: all
                Priority: 5
                Action: { Block: {} }
                Statement:
                  AndStatement:
                    Statements:
                      - LabelMatchStatement: { Scope: LABEL, Key: "seen:ua" }
                      - NotStatement: { Statement: { LabelMatchStatement: { Scope: LABEL, Key: "seen:referer" } } }
                      - LabelMatchStatement: { Scope: LABEL, Key: "seen:any" }
                      - NotStatement: { Statement: { LabelMatchStatement: { Scope: LABEL, Key: "seen:path" } } }
            """);
        // curl in the first User-Agent, wget in a second one: both values are inspected separately.
        var headers = "User-Agent: %43URL/8\r\nReferer: https://good.example/\r\nUser-Agent: WGET\r\n";
        Assert.Equal("all", Evaluate(acl, Get("/home", headers)).Rule?.Name);
        Assert.False(Evaluate(acl, Get("/%41dmin", headers)).Blocked);
        Assert.False(Evaluate(acl, Get("/home", headers.Replace("good", "EVIL", StringComparison.Ordinal))).Blocked);
        Assert.False(Evaluate(acl, Get("/home", "User-Agent: curl\r\n")).Blocked);
    }

    [Fact]
    public void Geo_match_labels_the_country_and_not_statements_invert()
    {
        var acl = Acl("""
              - Name: only-gb
                Priority: 1
                Action: { Block: {} }
                Statement: { NotStatement: { Statement: { GeoMatchStatement: { CountryCodes: [GB] } } } }
            """);
        var gb = new FixedCountry("GB");
        Assert.False(Evaluate(acl, Get("/"), "81.2.69.160", gb).Blocked);
        var verdict = Evaluate(acl, Get("/"), "8.8.8.8", gb);
        Assert.True(verdict.Blocked);
        Assert.Null(verdict.Country);
        var fr = Evaluate(acl, Get("/"), "81.2.69.160", new FixedCountry("FR"));
        Assert.True(fr.Blocked);
        Assert.Equal("FR", CountryCodes.Unpack(fr.Country!.Value));
    }

    [Fact]
    public void Geo_labels_and_answers_follow_the_country_as_it_changes_from_request_to_request()
    {
        var acl = Acl("""
              - Name: tag-gb
                Priority: 1
                Action: { Count: {} }
                RuleLabels: [{ Name: "from:gb" }]
                Statement: { GeoMatchStatement: { CountryCodes: [GB] } }
              - Name: block-fr
                Priority: 2
                Action: { Block: {} }
                Statement: { LabelMatchStatement: { Scope: LABEL, Key: "geo:country:FR" } }
              - Name: block-unknown
                Priority: 3
                Action: { Block: {} }
                Statement: { LabelMatchStatement: { Scope: LABEL, Key: "geo:country:other" } }
              - Name: block-gb
                Priority: 4
                Action: { Block: {} }
                Statement: { LabelMatchStatement: { Scope: LABEL, Key: "from:gb" } }
            """);
        foreach (var (country, rule) in new[] { ("GB", "block-gb"), ("FR", "block-fr"), ("GB", "block-gb"), ("GB", "block-gb"), ("ZZ", "block-unknown"), ("FR", "block-fr"), ("ZZ", "block-unknown") })
        {
            Assert.Equal(rule, Evaluate(acl, Get("/"), "81.2.69.160", new FixedCountry(country)).Rule?.Name);
        }
    }

    [Fact]
    public void Ip_sets_with_forwarded_addresses_only_from_trusted_proxies()
    {
        var set = files.Write("blocked.txt", "# bad actors\n198.51.100.0/24\n2001:db8::/32  # v6 too\n");
        var acl = Acl($$"""
              - Name: blocked
                Priority: 1
                Action: { Block: {} }
                Statement:
                  IPSetReferenceStatement:
                    File: {{set}}
                    IPSetForwardedIPConfig: { HeaderName: X-Forwarded-For, FallbackBehavior: NO_MATCH, Position: FIRST, TrustedProxies: [10.0.0.0/8] }
            """);
        Assert.True(Evaluate(acl, Get("/", "X-Forwarded-For: 198.51.100.9, 10.1.1.1\r\n"), "10.0.0.5").Blocked);
        Assert.False(Evaluate(acl, Get("/", "X-Forwarded-For: 198.51.100.9\r\n"), "203.0.113.1").Blocked);
        Assert.False(Evaluate(acl, Get("/", "X-Forwarded-For: junk\r\n"), "10.0.0.5").Blocked);
        var direct = Acl($$"""
              - Name: blocked
                Priority: 1
                Action: { Block: {} }
                Statement: { IPSetReferenceStatement: { File: {{set}} } }
            """);
        Assert.True(Evaluate(direct, Get("/"), "2001:db8::1").Blocked);
        Assert.True(direct.IsConnectionLevel);
        Assert.False(acl.IsConnectionLevel);
    }

    [Fact]
    public void Headers_cookies_size_and_body_fields()
    {
        var acl = Acl("""
              - Name: cookie
                Priority: 1
                Action: { Block: {} }
                Statement: { ByteMatchStatement: { SearchString: evil, PositionalConstraint: EXACTLY, FieldToMatch: { Cookies: { MatchPattern: { IncludedCookies: [session] }, MatchScope: VALUE } } } }
              - Name: big-header
                Priority: 2
                Action: { Block: {} }
                Statement: { SizeConstraintStatement: { FieldToMatch: { SingleHeader: { Name: X-Big } }, ComparisonOperator: GT, Size: 10 } }
              - Name: xss-body
                Priority: 3
                Action: { Block: {} }
                Statement:
                  XssMatchStatement:
                    FieldToMatch: { Body: { OversizeHandling: CONTINUE } }
                    TextTransformations: [{ Priority: 0, Type: HTML_ENTITY_DECODE }]
            """);
        Assert.Equal("cookie", Evaluate(acl, Get("/", "Cookie: a=b; session=evil\r\n")).Rule?.Name);
        Assert.False(Evaluate(acl, Get("/", "Cookie: other=evil\r\n")).Blocked);
        Assert.Equal("big-header", Evaluate(acl, Get("/", "X-Big: 01234567890\r\n")).Rule?.Name);
        var post = "POST /c HTTP/1.1\r\nHost: a\r\nContent-Length: 40\r\n\r\n";
        Assert.Equal("xss-body", Evaluate(acl, post, body: "comment=&lt;script&gt;alert(1)&lt;/script&gt;").Rule?.Name);
        Assert.False(Evaluate(acl, post, body: "comment=I like <b>bold</b> claims about 3 < 4").Blocked);
        Assert.True(acl.BodyInspectionBytes > 0);
    }

    [Fact]
    public void Custom_block_response_and_default_block()
    {
        var acl = Acl("""
              - Name: allow-health
                Priority: 1
                Action: { Allow: {} }
                Statement: { ByteMatchStatement: { SearchString: /healthz, PositionalConstraint: EXACTLY, FieldToMatch: { UriPath: {} } } }
            """, defaultAction: "Block");
        Assert.Equal(WafActionKind.Allow, Evaluate(acl, Get("/healthz")).Action);
        var blocked = Evaluate(acl, Get("/other"));
        Assert.True(blocked.Blocked);
        Assert.Null(blocked.Rule);
        Assert.Equal(403, blocked.Response!.Status);
    }

    [Fact]
    public void Evaluation_allocates_nothing()
    {
        var acl = Acl("""
              - Name: sqli
                Priority: 1
                Action: { Block: {} }
                Statement:
                  SqliMatchStatement:
                    FieldToMatch: { AllQueryArguments: {} }
                    TextTransformations: [{ Priority: 0, Type: URL_DECODE }, { Priority: 1, Type: LOWERCASE }]
              - Name: re
                Priority: 2
                Action: { Count: {} }
                Statement: { RegexMatchStatement: { RegexString: "^/api/v[0-9]+/", FieldToMatch: { UriPath: {} } } }
            """);
        var limits = HttpParserLimits.Default;
        var head = new RequestHead(limits);
        Http1RequestParser.TryParse(new ReadOnlySequence<byte>(Encoding.Latin1.GetBytes(Get("/api/v2/items?q=shoes&page=2"))), head, limits, out _);
        var address = IPAddress.Parse("203.0.113.7").GetAddressBytes();
        for (var i = 0; i < 100; i++) acl.Evaluate(new WafRequest(head, address), null, DateTimeOffset.UtcNow);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++) acl.Evaluate(new WafRequest(head, address), null, DateTimeOffset.UtcNow);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
