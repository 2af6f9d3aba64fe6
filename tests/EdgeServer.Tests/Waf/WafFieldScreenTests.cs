using System.Net;
using System.Text;
using EdgeServer.Policy.Waf.Evaluation;
using static EdgeServer.Tests.Waf.WafTestRequests;

namespace EdgeServer.Tests.Waf;

/// <summary>
/// Field screens (FieldScreens: one raw search per field for the rules that need some byte in it) decide what the
/// rules decide when run, on every field kind that has one: path, query string, query arguments, one header, all
/// headers by name and by value, cookies and the body, with oversize values that MATCH unread.
/// </summary>
public sealed class WafFieldScreenTests(WafTestFiles files) : IClassFixture<WafTestFiles>
{
    private static readonly string[] Fields =
    [
        "{ UriPath: {} }",
        "{ QueryString: {} }",
        "{ SingleQueryArgument: { Name: q } }",
        "{ AllQueryArguments: {} }",
        "{ SingleHeader: { Name: x-a } }",
        "{ Headers: { MatchPattern: { All: {} }, MatchScope: VALUE, OversizeHandling: MATCH } }",
        "{ Headers: { MatchPattern: { IncludedHeaders: [x-b] }, MatchScope: KEY, OversizeHandling: CONTINUE } }",
        "{ Cookies: { MatchPattern: { All: {} }, MatchScope: ALL, OversizeHandling: MATCH } }",
        "{ Body: { OversizeHandling: MATCH } }",
        "{ Body: { OversizeHandling: CONTINUE } }",
    ];

    [Fact]
    public void Random_requests_get_the_same_matches_with_field_screens_as_in_full()
    {
        var rules = new StringBuilder();
        var priority = 0;
        foreach (var field in Fields)
        {
            rules.AppendLine($"  - {{ Name: r{++priority}, Priority: {priority}, Action: {{ Count: {{}} }}, Statement: {{ ByteMatchStatement: {{ SearchString: '../', PositionalConstraint: CONTAINS, FieldToMatch: {field}, TextTransformations: [{{ Priority: 0, Type: URL_DECODE }}] }} }} }}");
            rules.AppendLine($"  - {{ Name: r{++priority}, Priority: {priority}, Action: {{ Count: {{}} }}, Statement: {{ XssMatchStatement: {{ FieldToMatch: {field}, TextTransformations: [{{ Priority: 0, Type: HTML_ENTITY_DECODE }}] }} }} }}");
            rules.AppendLine($"  - {{ Name: r{++priority}, Priority: {priority}, Action: {{ Count: {{}} }}, Statement: {{ RegexMatchStatement: {{ RegexString: '\\$\\{{(jndi|env)', FieldToMatch: {field}, TextTransformations: [{{ Priority: 0, Type: LOWERCASE }}] }} }} }}");
            rules.AppendLine($"  - {{ Name: r{++priority}, Priority: {priority}, Action: {{ Count: {{}} }}, Statement: {{ ByteMatchStatement: {{ SearchString: 'x-b', PositionalConstraint: EXACTLY, FieldToMatch: {field}, TextTransformations: [{{ Priority: 0, Type: LOWERCASE }}] }} }} }}");
        }
        var acl = files.CompileAcl(rules.ToString());
        Assert.Equal(Fields.Length, acl.FieldScreened.Count);

        string[] values = ["", "plain", "..%2f", "a/../b", "%3cscript%3e", "&lt;img/src=x/onerror=alert(1)&gt;", "X-B", "${jndi", "a=b", "q"];
        var oversize = new string('a', 9000); // past FieldToMatch.MaxInspectedChars: MATCH answers unread
        var random = new Random(17);
        Span<bool> fast = stackalloc bool[acl.Rules.Count], full = stackalloc bool[acl.Rules.Count];
        var matches = 0;
        for (var n = 0; n < 4000; n++)
        {
            string Pick() => values[random.Next(values.Length)];
            string Escaped() => Uri.EscapeDataString(Pick()).Replace("%2F", "/").Replace("%26", "&").Replace("%3D", "=");
            var query = random.Next(3) switch { 0 => "", 1 => $"?q={Escaped()}", _ => $"?{Escaped()}&q={Escaped()}" };
            var head = new StringBuilder($"POST /{Escaped()}{query} HTTP/1.1\r\nHost: a\r\n");
            if (random.Next(2) == 0) head.Append($"X-A: {(random.Next(8) == 0 ? oversize : Pick())}\r\n");
            if (random.Next(2) == 0) head.Append($"{(random.Next(2) == 0 ? "X-B" : "X-C")}: {Pick()}\r\n");
            if (random.Next(2) == 0) head.Append($"Cookie: {Pick()}={Pick()}; s={Pick()}\r\n");
            var body = random.Next(8) == 0 ? oversize : Pick();
            var truncated = random.Next(4) == 0;
            head.Append($"Content-Length: {body.Length + (truncated ? 100 : 0)}\r\n\r\n");
            var request = new WafRequest(Parse(head.ToString()), IPAddress.Loopback.GetAddressBytes(), null, Encoding.Latin1.GetBytes(body), truncated);
            fast.Clear();
            full.Clear();
            acl.Evaluate(request, null, DateTimeOffset.UtcNow, fast);
            acl.EvaluateInFull(request, null, DateTimeOffset.UtcNow, full);
            for (var i = 0; i < fast.Length; i++)
            {
                Assert.True(fast[i] == full[i], $"{acl.Rules[i].Name} ({acl.Rules[i].Statement.Describe()}): {fast[i]} with screens, {full[i]} in full\n{head}{body}");
                if (full[i]) matches++;
            }
        }
        Assert.InRange(matches, 4000, 100_000);
    }
}
