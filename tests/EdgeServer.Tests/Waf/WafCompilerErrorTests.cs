using EdgeServer.Waf.Compiler;

namespace EdgeServer.Tests.Waf;

/// <summary>Every kind of rule file mistake is refused whole, with the file, line, column and reason.</summary>
public sealed class WafCompilerErrorTests(WafTestFiles files) : IClassFixture<WafTestFiles>
{
    private const string Head = """
        Name: acl
        DefaultAction: { Allow: {} }
        Rules:

        """;

    private WafCompileResult Compile(string yaml, string name = "rules.yaml") =>
        WafCompiler.CompileFile(files.Write(name, yaml), new WafCounterRegistry(), DateTimeOffset.UtcNow);

    private void HasError(string yaml, int line, int column, params string[] fragments)
    {
        var result = Compile(yaml);
        Assert.False(result.Ok);
        Assert.Null(result.Acl);
        var all = string.Join("\n", result.Errors);
        var error = result.Errors.FirstOrDefault(e => e.Mark.Line == line && e.Mark.Column == column);
        Assert.True(error is not null, $"no error at {line}:{column}; got:\n{all}");
        foreach (var fragment in fragments) Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_fields_are_named_with_a_suggestion() => HasError(Head + """
          - Name: a
            Priorty: 1
            Action: { Block: {} }
            Statement: { ByteMatchStatement: { SearchString: x, FieldToMatch: { UriPath: {} }, PositionalConstraint: CONTAINS } }
        """, 5, 5, "unknown key 'Priorty'", "did you mean 'Priority'");

    [Fact]
    public void Duplicate_priorities_and_names() => HasError(Head + """
          - Name: a
            Priority: 1
            Action: { Count: {} }
            Statement: { ByteMatchStatement: { SearchString: x, FieldToMatch: { UriPath: {} }, PositionalConstraint: CONTAINS } }
          - Name: a
            Priority: 1
            Action: { Count: {} }
            Statement: { ByteMatchStatement: { SearchString: y, FieldToMatch: { UriPath: {} }, PositionalConstraint: CONTAINS } }
        """, 8, 11, "duplicate rule name 'a'");

    [Fact]
    public void Duplicate_priority_is_reported_at_the_second() => HasError(Head + """
          - Name: a
            Priority: 1
            Action: { Count: {} }
            Statement: { ByteMatchStatement: { SearchString: x, FieldToMatch: { UriPath: {} }, PositionalConstraint: CONTAINS } }
          - Name: b
            Priority: 1
            Action: { Count: {} }
            Statement: { ByteMatchStatement: { SearchString: y, FieldToMatch: { UriPath: {} }, PositionalConstraint: CONTAINS } }
        """, 9, 15, "duplicate priority 1", "rule 'a'");

    [Fact]
    public void Unknown_country() => HasError(Head + """
          - Name: geo
            Priority: 1
            Action: { Block: {} }
            Statement: { GeoMatchStatement: { CountryCodes: [FR, UK] } }
        """, 7, 58, "unknown country code 'UK'", "GB");

    [Fact]
    public void Invalid_regex() => HasError(Head + """
          - Name: re
            Priority: 1
            Action: { Block: {} }
            Statement: { RegexMatchStatement: { RegexString: "a(b", FieldToMatch: { UriPath: {} } } }
        """, 7, 54, "invalid regex");

    [Fact]
    public void A_bad_cidr_in_an_ip_set_file_is_reported_in_that_file()
    {
        var set = files.Write("bad.txt", "10.0.0.0/8\n# comment\n192.168.1.0/33\n");
        HasError(Head + $$"""
              - Name: ips
                Priority: 1
                Action: { Block: {} }
                Statement: { IPSetReferenceStatement: { File: {{set}} } }
            """, 3, 13, "33");
    }

    [Fact]
    public void A_missing_ip_set_file_is_reported_where_it_is_named() => HasError(Head + """
          - Name: ips
            Priority: 1
            Action: { Block: {} }
            Statement: { IPSetReferenceStatement: { File: nowhere.txt } }
        """, 7, 51, "IP set file not found");

    [Fact]
    public void Unknown_transformation_with_suggestion() => HasError(Head + """
          - Name: t
            Priority: 1
            Action: { Block: {} }
            Statement:
              SqliMatchStatement:
                FieldToMatch: { QueryString: {} }
                TextTransformations: [{ Priority: 0, Type: URL_DECODED }]
        """, 10, 52, "unknown text transformation 'URL_DECODED'", "did you mean 'URL_DECODE'");

    [Fact]
    public void Unknown_custom_body_key() => HasError("""
        Name: acl
        DefaultAction: { Allow: {} }
        CustomResponseBodies:
          blocked: { ContentType: APPLICATION_JSON, Content: '{"blocked":true}' }
        Rules:
          - Name: b
            Priority: 1
            Action: { Block: { CustomResponse: { ResponseCode: 451, CustomResponseBodyKey: blokced } } }
            Statement: { ByteMatchStatement: { SearchString: x, FieldToMatch: { UriPath: {} }, PositionalConstraint: CONTAINS } }
        """, 8, 84, "unknown custom response body 'blokced'", "did you mean 'blocked'");

    [Fact]
    public void A_missing_file_is_an_error_not_an_exception()
    {
        var result = WafCompiler.CompileFile(Path.Combine(files.Directory, "nope.yaml"), new WafCounterRegistry(), DateTimeOffset.UtcNow);
        Assert.False(result.Ok);
        Assert.Contains("rule file not found", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_files_compile_with_positions_too()
    {
        var result = Compile("""
            {
              "Name": "acl",
              "DefaultAction": { "Allow": {} },
              "Rules": [
                { "Name": "x", "Priority": 1, "Action": { "Block": {} },
                  "Statement": { "XssMatchStatement": { "FieldToMatch": { "Body": { "OversizeHandling": "MATCH" } }, "TextTransformations": [ { "Priority": 0, "Type": "NONE" } ] } },
                  "VisibilityConfig": { "SampledRequestsEnabled": true } }
              ]
            }
            """, "rules.json");
        Assert.True(result.Ok, string.Join("\n", result.Errors));
        Assert.Equal(WafCompiler.DefaultBodyInspectionBytes, result.Acl!.BodyInspectionBytes);
        var bad = Compile("""{ "Name": "acl", "DefaultAction": { "Allow": {} }, "Rules": [ { "Name": "x", "Priority": -1 } ] }""", "bad.json");
        Assert.Contains(bad.Errors, e => e.Mark.Line == 1 && e.Message.Contains("must not be negative", StringComparison.Ordinal));
    }

    [Fact]
    public void An_expired_rule_compiles_with_a_notice()
    {
        var result = Compile(Head + """
              - Name: old
                Priority: 1
                Action: { Block: {} }
                Metadata: { Owner: secteam, Ticket: SEC-1, ExpiresAt: 2020-01-01T00:00:00Z }
                Statement: { ByteMatchStatement: { SearchString: x, FieldToMatch: { UriPath: {} }, PositionalConstraint: CONTAINS } }
            """);
        Assert.True(result.Ok);
        Assert.Contains(result.Notices, n => n.Contains("rule 'old' expired", StringComparison.Ordinal) && n.Contains("SEC-1", StringComparison.Ordinal));
        Assert.True(result.Acl!.Rules[0].IsExpired(DateTimeOffset.UtcNow));
    }
}
