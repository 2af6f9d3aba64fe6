using EdgeServer.Policy.Waf;
using static EdgeServer.Tests.Waf.WafTestRequests;

namespace EdgeServer.Tests.Waf;

/// <summary>
/// The evaluation shortcuts change nothing a rule decides: runs of ByteMatch rules screened by one search,
/// Method answers worked out at compile time, regexes that look for their required literal first. Each is
/// compared with the same rules evaluated without the shortcut.
/// </summary>
public sealed class WafScreeningTests(WafTestFiles files) : IClassFixture<WafTestFiles>
{
    private const string PathRun = """
          - Name: env
            Priority: 1
            Action: { Block: {} }
            Statement: { ByteMatchStatement: { SearchString: /.env, PositionalConstraint: CONTAINS, FieldToMatch: { UriPath: {} }, TextTransformations: [{ Priority: 0, Type: URL_DECODE }, { Priority: 1, Type: LOWERCASE }] } }
          - Name: tag-api
            Priority: 2
            Action: { Count: {} }
            RuleLabels: [{ Name: "path:api" }]
            Statement: { ByteMatchStatement: { SearchString: /api/, PositionalConstraint: STARTS_WITH, FieldToMatch: { UriPath: {} }, TextTransformations: [{ Priority: 0, Type: URL_DECODE }, { Priority: 1, Type: LOWERCASE }] } }
          - Name: php
            Priority: 3
            Action: { Block: {} }
            Statement: { ByteMatchStatement: { SearchString: .php, PositionalConstraint: ENDS_WITH, FieldToMatch: { UriPath: {} }, TextTransformations: [{ Priority: 0, Type: URL_DECODE }, { Priority: 1, Type: LOWERCASE }] } }
          - Name: root
            Priority: 4
            Action: { Block: {} }
            Statement: { ByteMatchStatement: { SearchString: /x, PositionalConstraint: EXACTLY, FieldToMatch: { UriPath: {} }, TextTransformations: [{ Priority: 0, Type: URL_DECODE }, { Priority: 1, Type: LOWERCASE }] } }
          - Name: word
            Priority: 5
            Action: { Block: {} }
            Statement: { ByteMatchStatement: { SearchString: admin, PositionalConstraint: CONTAINS_WORD, FieldToMatch: { UriPath: {} }, TextTransformations: [{ Priority: 0, Type: URL_DECODE }, { Priority: 1, Type: LOWERCASE }] } }
          - Name: api-admin
            Priority: 6
            Action: { Block: {} }
            Statement:
              AndStatement:
                Statements:
                  - LabelMatchStatement: { Scope: LABEL, Key: "path:api" }
                  - ByteMatchStatement: { SearchString: delete, PositionalConstraint: CONTAINS, FieldToMatch: { QueryString: {} } }
        """;

    /// <summary>The same rules with every ByteMatch wrapped in NOT(NOT(..)): equivalent, and never part of a run.</summary>
    private static string Unscreened(string rules) =>
        System.Text.RegularExpressions.Regex.Replace(rules, @"Statement: \{ (ByteMatchStatement: \{.*\}) \}$",
            "Statement: { NotStatement: { Statement: { NotStatement: { Statement: { $1 } } } } }", System.Text.RegularExpressions.RegexOptions.Multiline);

    [Fact]
    public void A_screened_run_of_byte_matches_decides_exactly_as_the_rules_one_by_one()
    {
        var screened = files.CompileAcl(PathRun);
        var plain = files.CompileAcl(Unscreened(PathRun));
        Assert.Equal([(0, 5)], screened.ScreenedRuns);
        Assert.Empty(plain.ScreenedRuns);

        string[] pieces = ["/", "/.env", "/.ENV", "/%2eenv", ".php", ".PhP", "/api/", "/API/", "/x", "admin", "-admin-", "xadmin", "admin_", "a", "v1", "%2f"];
        var random = new Random(7);
        Span<bool> a = stackalloc bool[6], b = stackalloc bool[6];
        for (var n = 0; n < 3000; n++)
        {
            var path = "/" + string.Concat(Enumerable.Range(0, random.Next(0, 4)).Select(_ => pieces[random.Next(pieces.Length)]));
            var query = random.Next(3) == 0 ? "?op=delete" : "";
            var request = Get(path + query);
            a.Clear();
            b.Clear();
            var verdict = Evaluate(screened, request, a);
            var expected = Evaluate(plain, request, b);
            Assert.True(verdict.Action == expected.Action && verdict.Rule?.Name == expected.Rule?.Name && a.SequenceEqual(b), $"{path + query}: {verdict.Rule?.Name} vs {expected.Rule?.Name}");
        }
    }

    [Fact]
    public void Rules_of_a_run_stepped_over_count_as_evaluated_and_expired_ones_as_skipped()
    {
        var acl = files.CompileAcl("""
              - Name: a
                Priority: 1
                Action: { Block: {} }
                Statement: { ByteMatchStatement: { SearchString: /a/, PositionalConstraint: CONTAINS, FieldToMatch: { UriPath: {} } } }
              - Name: gone
                Priority: 2
                Action: { Block: {} }
                Metadata: { Owner: sec, ExpiresAt: "2020-01-01T00:00:00Z" }
                Statement: { ByteMatchStatement: { SearchString: /gone/, PositionalConstraint: CONTAINS, FieldToMatch: { UriPath: {} } } }
              - Name: c
                Priority: 3
                Action: { Block: {} }
                Statement: { ByteMatchStatement: { SearchString: /c/, PositionalConstraint: CONTAINS, FieldToMatch: { UriPath: {} } } }
            """);
        Assert.Equal([(0, 3)], acl.ScreenedRuns);
        Assert.False(Evaluate(acl, Get("/home")).Blocked);       // none of the strings: the run is stepped over
        Assert.False(Evaluate(acl, Get("/x/gone/")).Blocked);    // the expired rule's string: rules run one by one
        Assert.Equal("c", Evaluate(acl, Get("/c/")).Rule?.Name);
        Assert.Equal([3, 0, 3], acl.Rules.Select(r => r.Counters.Evaluations));
        Assert.Equal([0, 0, 1], acl.Rules.Select(r => r.Counters.Matches));
    }

    [Fact]
    public void Runs_break_where_the_field_the_transformations_or_the_statement_differ()
    {
        var acl = files.CompileAcl("""
              - { Name: ua1, Priority: 1, Action: { Block: {} }, Statement: { ByteMatchStatement: { SearchString: nikto, PositionalConstraint: CONTAINS, FieldToMatch: { SingleHeader: { Name: user-agent } }, TextTransformations: [{ Priority: 0, Type: LOWERCASE }] } } }
              - { Name: ua2, Priority: 2, Action: { Block: {} }, Statement: { ByteMatchStatement: { SearchString: sqlmap, PositionalConstraint: CONTAINS, FieldToMatch: { SingleHeader: { Name: user-agent } }, TextTransformations: [{ Priority: 0, Type: LOWERCASE }] } } }
              - { Name: ua3, Priority: 3, Action: { Block: {} }, Statement: { ByteMatchStatement: { SearchString: NMAP, PositionalConstraint: CONTAINS, FieldToMatch: { SingleHeader: { Name: user-agent } } } } }
              - { Name: ref, Priority: 4, Action: { Block: {} }, Statement: { ByteMatchStatement: { SearchString: nmap, PositionalConstraint: CONTAINS, FieldToMatch: { SingleHeader: { Name: referer } }, TextTransformations: [{ Priority: 0, Type: LOWERCASE }] } } }
              - { Name: rx, Priority: 5, Action: { Block: {} }, Statement: { RegexMatchStatement: { RegexString: zgrab, FieldToMatch: { SingleHeader: { Name: user-agent } }, TextTransformations: [{ Priority: 0, Type: LOWERCASE }] } } }
              - { Name: ua6, Priority: 6, Action: { Block: {} }, Statement: { ByteMatchStatement: { SearchString: masscan, PositionalConstraint: CONTAINS, FieldToMatch: { SingleHeader: { Name: user-agent } }, TextTransformations: [{ Priority: 0, Type: LOWERCASE }] } } }
              - { Name: ua7, Priority: 7, Action: { Block: {} }, Statement: { ByteMatchStatement: { SearchString: wpscan, PositionalConstraint: CONTAINS, FieldToMatch: { SingleHeader: { Name: user-agent } }, TextTransformations: [{ Priority: 0, Type: LOWERCASE }] } } }
            """);
        Assert.Equal([(0, 2), (5, 7)], acl.ScreenedRuns);
        Assert.Equal("ua2", Evaluate(acl, Get("/", "User-Agent: SQLMap/1.7\r\n")).Rule?.Name);
        Assert.Null(Evaluate(acl, Get("/", "User-Agent: nmap\r\n")).Rule);
        Assert.Equal("ua3", Evaluate(acl, Get("/", "User-Agent: NMAP\r\n")).Rule?.Name);
        Assert.Equal("ua7", Evaluate(acl, Get("/", "User-Agent: x\r\nUser-Agent: WPScan\r\n")).Rule?.Name);
    }

    [Fact]
    public void Method_rules_answer_known_and_custom_methods_alike()
    {
        var acl = files.CompileAcl("""
              - Name: tag-get
                Priority: 1
                Action: { Count: {} }
                RuleLabels: [{ Name: "m:get" }]
                Statement: { ByteMatchStatement: { SearchString: get, PositionalConstraint: EXACTLY, FieldToMatch: { Method: {} }, TextTransformations: [{ Priority: 0, Type: LOWERCASE }] } }
              - Name: allowed-methods
                Priority: 2
                Action: { Block: {} }
                Statement: { NotStatement: { Statement: { RegexMatchStatement: { RegexString: '^(GET|HEAD|POST|PURGE)$', FieldToMatch: { Method: {} } } } } }
              - Name: get-only-here
                Priority: 3
                Action: { Block: {} }
                Statement:
                  AndStatement:
                    Statements:
                      - NotStatement: { Statement: { LabelMatchStatement: { Scope: LABEL, Key: "m:get" } } }
                      - ByteMatchStatement: { SearchString: /get-only, PositionalConstraint: STARTS_WITH, FieldToMatch: { UriPath: {} } }
            """);
        static string Request(string method, string path = "/") => $"{method} {path} HTTP/1.1\r\nHost: a\r\n\r\n";
        Assert.False(Evaluate(acl, Request("GET", "/get-only")).Blocked);
        Assert.Equal("get-only-here", Evaluate(acl, Request("POST", "/get-only")).Rule?.Name);
        Assert.False(Evaluate(acl, Request("PURGE")).Blocked);                                  // a custom method, matched at run time
        Assert.Equal("allowed-methods", Evaluate(acl, Request("DELETE")).Rule?.Name);          // a known one, answered at compile time
        Assert.Equal("allowed-methods", Evaluate(acl, Request("PROPFIND")).Rule?.Name);
        Assert.Equal("allowed-methods", Evaluate(acl, Request("get")).Rule?.Name);             // methods are case-sensitive: "get" is not GET
        Assert.Equal(2, acl.Rules[0].Counters.Matches);                                          // ...but LOWERCASE makes the first rule match both
    }

    [Fact]
    public void Regexes_with_a_required_literal_match_as_the_plain_regex_does()
    {
        const string rules = """
              - Name: log4j
                Priority: 1
                Action: { Block: {} }
                Statement: { RegexMatchStatement: { RegexString: '\$\{(jndi|env):', FieldToMatch: { Headers: { MatchPattern: { All: {} }, MatchScope: VALUE, OversizeHandling: MATCH } }, TextTransformations: [{ Priority: 0, Type: URL_DECODE_UNI }, { Priority: 1, Type: LOWERCASE }] } }
              - Name: shellshock
                Priority: 2
                Action: { Block: {} }
                Statement: { RegexMatchStatement: { RegexString: '\(\s*\)\s*\{', FieldToMatch: { Headers: { MatchPattern: { All: {} }, MatchScope: VALUE, OversizeHandling: MATCH } } } }
            """;
        var acl = files.CompileAcl(rules);
        Assert.Equal("log4j", Evaluate(acl, Get("/", "X-Api: %24%7BJNDI:ldap://x/a}\r\n")).Rule?.Name);
        Assert.Equal("log4j", Evaluate(acl, Get("/", "X-Api: ${env:HOME}\r\n")).Rule?.Name);
        Assert.Null(Evaluate(acl, Get("/", "X-Api: $ {jndi:x}\r\n")).Rule);
        Assert.Equal("shellshock", Evaluate(acl, Get("/", "User-Agent: () { :; }; /bin/cat /etc/passwd\r\n")).Rule?.Name);
        Assert.Equal("shellshock", Evaluate(acl, Get("/", "User-Agent: (\t)  {\r\n")).Rule?.Name);
        Assert.Null(Evaluate(acl, Get("/", "User-Agent: Mozilla/5.0 (X11) {x}\r\n")).Rule);
    }
}
