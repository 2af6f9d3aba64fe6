using System.Net;
using System.Text;
using EdgeServer.Policy.Waf;
using EdgeServer.Policy.Waf.Evaluation;
using EdgeServer.Policy.Waf.Fields;
using EdgeServer.Waf.Compiler;

namespace EdgeServer.Tests.Waf;

/// <summary>
/// Rules decided by a missing query, body or header before they run (AbsenceGates), and values screened out by
/// their raw bytes (RawScreen), decide what they decide when run: random requests through the 50-rule benchmark ACL
/// and the shipped baseline, each evaluated with the shortcuts and in full; and the cases where a missing part must
/// not decide (other fields, side effects).
/// </summary>
public sealed class WafAbsenceTests(WafTestFiles files) : IClassFixture<WafTestFiles>
{
    /// <param name="countOnly">Every Block made a Count, so every rule runs on every request and each one's match is compared.</param>
    [Theory]
    [InlineData("perf/waf/realistic-50.yaml", false)]
    [InlineData("perf/waf/realistic-50.yaml", true)]
    [InlineData("config/waf/baseline.yaml", false)]
    public void Random_requests_get_the_same_verdicts_and_matches_with_and_without_the_shortcuts(string file, bool countOnly)
    {
        var path = Path.Combine(ExampleRuleFilesTests.RepositoryRoot, file);
        var text = File.ReadAllText(path);
        if (countOnly)
        {
            const string block = "Action: { Block: {} }";
            Assert.True(text.Split(block).Length > 40);
            text = text.Replace(block, "Action: { Count: {} }");
        }
        var result = WafCompiler.Compile(text, path, new WafCounterRegistry(), DateTimeOffset.UtcNow);
        Assert.True(result.Ok, string.Join("\n", result.Errors));
        var acl = result.Acl!;
        Assert.Contains(acl.AbsenceDecisions, d => d is not null);

        string[] methods = ["GET", "POST", "PUT", "HEAD", "PURGE"];
        string[] paths = ["/", "/plain", "/admin/x", "/.env", "/a/../etc/passwd", "/search", "/%2e%2e/x", "/wp-login.php",
            "/ADMIN/x", "/%61dmin/x", "/%3cscript%3ealert(1)", "/x/%2E%2E%2Fetc", "/x/%u002e%u002e/y"];
        string[] queries = ["", "?", "?q=shoes", "?id=1%20or%201=1", "?x=<script>alert(1)</script>", "?u=http://169.254.169.254/", "?c=;cat%20/etc/passwd", "?a=&b="];
        string[] userAgents = ["", "Mozilla/5.0", "sqlmap/1.7", "", "curl/8", "${jndi:ldap://x/a}", "%24%7Bjndi:ldap://x%7D", "() { :; }; /bin/id", "SQLMAP"];
        string[] cookies = ["", "session=abc", "id=1' or '1'='1", ""];
        string[] contentTypes = ["", "application/json", "text/xml"];
        string[] bodies = ["", "{\"a\":1}", "name=x' union select password from users--", "<?php system($_GET['c']); ?>", "<!ENTITY x SYSTEM \"file:///etc/passwd\">"];
        var random = new Random(3);
        int decided = 0, differing = 0, matches = 0;
        for (var n = 0; n < 4000; n++)
        {
            var method = Pick(random, methods);
            var target = Pick(random, paths) + Pick(random, queries);
            var head = new StringBuilder($"{method} {target} HTTP/1.1\r\nHost: a\r\n");
            if (Pick(random, userAgents) is { Length: > 0 } ua) head.Append($"User-Agent: {ua}\r\n");
            if (Pick(random, cookies) is { Length: > 0 } cookie) head.Append($"Cookie: {cookie}\r\n");
            if (Pick(random, contentTypes) is { Length: > 0 } type) head.Append($"Content-Type: {type}\r\n");
            var body = Pick(random, bodies);
            var framing = random.Next(4);
            if (framing == 1) head.Append("Content-Length: 0\r\n");
            if (framing >= 2 && body.Length > 0) head.Append($"Content-Length: {body.Length}\r\n");
            if (framing == 3 && body.Length > 0 && random.Next(2) == 0) body = body[..(body.Length / 2)]; // a prefix: the rest not yet read
            if (framing < 2) body = "";
            var truncated = framing == 3 && random.Next(3) == 0;

            var parsed = WafTestRequests.Parse(head.Append("\r\n").ToString());
            var request = new WafRequest(parsed, IPAddress.Parse("203.0.113.7").GetAddressBytes(), null, Encoding.Latin1.GetBytes(body), truncated);
            var fast = new bool[acl.Rules.Count];
            var full = new bool[acl.Rules.Count];
            var now = DateTimeOffset.UtcNow;
            var verdict = acl.Evaluate(request, null, now, fast);
            var expected = acl.EvaluateInFull(request, null, now, full);
            Assert.True(verdict.Action == expected.Action && verdict.Rule == expected.Rule && fast.AsSpan().SequenceEqual(full),
                $"{head}{body}: {verdict.Rule?.Name} vs {expected.Rule?.Name}");
            for (var i = 0; i < acl.Rules.Count; i++)
            {
                if (acl.AbsenceDecisions[i] is { } d && d.Part.IsAbsentFrom(request)) decided++;
            }
            if (expected.Rule is not null) differing++;
            matches += full.Count(m => m);
        }
        Assert.True(decided > 4000, $"only {decided} rule decisions came from missing parts: the test does not exercise them");
        if (countOnly) Assert.True(matches > 4000, $"only {matches} rule matches");
        else Assert.True(differing > 400, $"only {differing} requests were decided by a rule");
    }

    [Fact]
    public void A_missing_part_decides_only_where_nothing_else_could_change_the_answer()
    {
        var acl = files.CompileAcl("""
              - Name: no-ua
                Priority: 1
                Action: { Count: {} }
                RuleLabels: [{ Name: "client:no-ua" }]
                Statement: { NotStatement: { Statement: { SizeConstraintStatement: { FieldToMatch: { SingleHeader: { Name: User-Agent } }, ComparisonOperator: GT, Size: 0, TextTransformations: [{ Priority: 0, Type: NONE }] } } } }
              - Name: empty-query
                Priority: 2
                Action: { Count: {} }
                Statement: { SizeConstraintStatement: { FieldToMatch: { QueryString: {} }, ComparisonOperator: EQ, Size: 0, TextTransformations: [{ Priority: 0, Type: NONE }] } }
              - Name: query-or-path
                Priority: 3
                Action: { Count: {} }
                Statement:
                  OrStatement:
                    Statements:
                      - ByteMatchStatement: { SearchString: x, PositionalConstraint: CONTAINS, FieldToMatch: { QueryString: {} }, TextTransformations: [{ Priority: 0, Type: NONE }] }
                      - ByteMatchStatement: { SearchString: /p, PositionalConstraint: STARTS_WITH, FieldToMatch: { UriPath: {} }, TextTransformations: [{ Priority: 0, Type: NONE }] }
              - Name: body-and-cookie
                Priority: 4
                Action: { Count: {} }
                Statement:
                  AndStatement:
                    Statements:
                      - ByteMatchStatement: { SearchString: x, PositionalConstraint: CONTAINS, FieldToMatch: { Body: {} }, TextTransformations: [{ Priority: 0, Type: NONE }] }
                      - ByteMatchStatement: { SearchString: y, PositionalConstraint: CONTAINS, FieldToMatch: { Cookies: { MatchPattern: { All: {} }, MatchScope: VALUE, OversizeHandling: CONTINUE } }, TextTransformations: [{ Priority: 0, Type: NONE }] }
              - Name: labelled
                Priority: 5
                Action: { Block: {} }
                Statement: { LabelMatchStatement: { Scope: LABEL, Key: "client:no-ua" } }
            """);
        var decisions = acl.AbsenceDecisions;
        Assert.Equal((OptionalPart.HeaderNamed("user-agent"u8), true), decisions[0]);
        Assert.Equal((OptionalPart.Query, true), decisions[1]);
        Assert.Null(decisions[2]); // the path can still match
        Assert.True(decisions[3] is { Answer: false }); // either part missing: no match
        Assert.Null(decisions[4]);

        // The label a rule decided without running still reaches the rules after it.
        Assert.True(WafTestRequests.Evaluate(acl, "GET / HTTP/1.1\r\nHost: a\r\n\r\n").Blocked);
        Assert.False(WafTestRequests.Evaluate(acl, "GET / HTTP/1.1\r\nHost: a\r\nuser-AGENT: x\r\n\r\n").Blocked);
        // An empty query ("/?") is a missing one for the fields: the size-0 rule matches both ways.
        Span<bool> matched = stackalloc bool[5];
        WafTestRequests.Evaluate(acl, "GET /? HTTP/1.1\r\nHost: a\r\nUser-Agent: x\r\n\r\n", matched);
        Assert.True(matched[1]);
    }

    [Fact]
    public void Rules_with_side_effects_always_run()
    {
        var acl = files.CompileAcl("""
              - Name: geo-and-query
                Priority: 1
                Action: { Count: {} }
                Statement:
                  AndStatement:
                    Statements:
                      - GeoMatchStatement: { CountryCodes: [GB] }
                      - ByteMatchStatement: { SearchString: x, PositionalConstraint: CONTAINS, FieldToMatch: { QueryString: {} }, TextTransformations: [{ Priority: 0, Type: NONE }] }
            """);
        Assert.Null(acl.AbsenceDecisions[0]); // GeoMatch labels the request with its country whenever it runs
    }

    private static string Pick(Random random, string[] values) => values[random.Next(values.Length)];
}
