using EdgeServer.Waf.Compiler;

namespace EdgeServer.Tests.Waf;

/// <summary>RateBasedStatement mistakes are refused with the file, line, column and reason, like every other statement's.</summary>
public sealed class RateBasedCompilerErrorTests(WafTestFiles files) : IClassFixture<WafTestFiles>
{
    // The statement's body starts on line 9, column 9.
    private const string Head = """
        Name: acl
        DefaultAction: { Allow: {} }
        Rules:
          - Name: rate
            Priority: 1
            Action: { Block: {} }
            Statement:
              RateBasedStatement:

        """;

    private void HasError(string body, int line, int column, params string[] fragments) => HasError(body, null, line, column, fragments);

    private void HasError(string body, TimeProvider? clock, int line, int column, params string[] fragments)
    {
        var result = WafCompiler.CompileFile(files.Write($"{Guid.NewGuid():N}.yaml", Head + body), new WafCounterRegistry(), DateTimeOffset.UtcNow, clock: clock);
        Assert.False(result.Ok);
        Assert.Null(result.Acl);
        var all = string.Join("\n", result.Errors);
        var error = result.Errors.FirstOrDefault(e => e.Mark.Line == line && e.Mark.Column == column);
        Assert.True(error is not null, $"no error at {line}:{column}; got:\n{all}");
        foreach (var fragment in fragments) Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0", "'Limit' must be at least 1, got 0")]
    [InlineData("-5", "'Limit' must be at least 1")]
    [InlineData("2000000001", "'Limit' must be at most 2000000000")]
    [InlineData("five", "'Limit': expected a whole number, got 'five'")]
    public void A_bad_limit(string limit, string message) => HasError($"""
                Limit: {limit}
                AggregateKeyType: IP
        """, 9, 16, message);

    [Theory]
    [InlineData("0", "'EvaluationWindowSec' must be at least 1")]
    [InlineData("7200", "'EvaluationWindowSec' must be at most 3600")]
    public void A_bad_window(string window, string message) => HasError($"""
                Limit: 5
                EvaluationWindowSec: {window}
                AggregateKeyType: IP
        """, 10, 30, message);

    [Fact]
    public void A_limit_and_key_type_are_required() => HasError("""
                EvaluationWindowSec: 60
        """, 9, 9, "needs 'Limit'");

    [Fact]
    public void An_unknown_key_type_with_a_suggestion() => HasError("""
                Limit: 5
                AggregateKeyType: FORWARDED_IPS
        """, 10, 27, "expected IP, FORWARDED_IP, CONSTANT or CUSTOM_KEYS, got 'FORWARDED_IPS'", "did you mean 'FORWARDED_IP'");

    [Fact]
    public void An_unknown_field() => HasError("""
                Limit: 5
                AggregateKeyType: IP
                ScopeDown: { LabelMatchStatement: { Scope: LABEL, Key: a } }
        """, 11, 9, "unknown key 'ScopeDown' in 'RateBasedStatement'", "ScopeDownStatement");

    [Fact]
    public void Custom_keys_without_any_key() => HasError("""
                Limit: 5
                AggregateKeyType: CUSTOM_KEYS
                CustomKeys: []
        """, 11, 21, "'CustomKeys' is empty");

    [Fact]
    public void Custom_keys_type_without_custom_keys() => HasError("""
                Limit: 5
                AggregateKeyType: CUSTOM_KEYS
        """, 9, 9, "CUSTOM_KEYS needs 'CustomKeys'");

    [Fact]
    public void Custom_keys_with_another_key_type() => HasError("""
                Limit: 5
                AggregateKeyType: IP
                CustomKeys: [{ IP: {} }]
        """, 11, 9, "'CustomKeys' applies only with AggregateKeyType CUSTOM_KEYS");

    [Fact]
    public void More_than_five_custom_keys() => HasError("""
                Limit: 5
                AggregateKeyType: CUSTOM_KEYS
                CustomKeys:
                  - Header: { Name: a }
                  - Header: { Name: b }
                  - Header: { Name: c }
                  - Header: { Name: d }
                  - Header: { Name: e }
                  - Header: { Name: f }
        """, 17, 13, "at most 5 keys");

    [Fact]
    public void An_unknown_custom_key() => HasError("""
                Limit: 5
                AggregateKeyType: CUSTOM_KEYS
                CustomKeys: [{ Headers: { Name: a } }]
        """, 11, 24, "unknown key 'Headers'", "did you mean 'Header'");

    [Fact]
    public void A_header_key_without_a_name() => HasError("""
                Limit: 5
                AggregateKeyType: CUSTOM_KEYS
                CustomKeys: [{ Header: { TextTransformations: [{ Priority: 0, Type: LOWERCASE }] } }]
        """, 11, 32, "'Header' needs 'Name'");

    [Fact]
    public void A_duplicate_custom_key() => HasError("""
                Limit: 5
                AggregateKeyType: CUSTOM_KEYS
                CustomKeys:
                  - Cookie: { Name: session }
                  - Cookie: { Name: session }
        """, 13, 13, "duplicate custom key Cookie(session)", "first at line 12");

    [Fact]
    public void Ip_and_forwarded_ip_together() => HasError("""
                Limit: 5
                AggregateKeyType: CUSTOM_KEYS
                ForwardedIPConfig: { HeaderName: X-Forwarded-For, FallbackBehavior: NO_MATCH }
                CustomKeys: [{ IP: {} }, { ForwardedIP: {} }]
        """, 12, 21, "IP or ForwardedIP, not both");

    [Fact]
    public void A_bad_transformation_in_a_custom_key() => HasError("""
                Limit: 5
                AggregateKeyType: CUSTOM_KEYS
                CustomKeys: [{ UriPath: { TextTransformations: [{ Priority: 0, Type: URL_DECODED }] } }]
        """, 11, 78, "unknown text transformation 'URL_DECODED'", "did you mean 'URL_DECODE'");

    [Fact]
    public void A_label_namespace_without_the_colon() => HasError("""
                Limit: 5
                AggregateKeyType: CUSTOM_KEYS
                CustomKeys: [{ LabelNamespace: { Namespace: "team" } }]
        """, 11, 40, "namespace 'team' must end with ':'");

    [Fact]
    public void Forwarded_ip_without_its_config() => HasError("""
                Limit: 5
                AggregateKeyType: FORWARDED_IP
        """, 9, 9, "FORWARDED_IP needs 'ForwardedIPConfig'");

    [Fact]
    public void A_forwarded_ip_custom_key_without_its_config() => HasError("""
                Limit: 5
                AggregateKeyType: CUSTOM_KEYS
                CustomKeys: [{ ForwardedIP: {} }]
        """, 11, 24, "custom key ForwardedIP needs the statement's 'ForwardedIPConfig'");

    [Fact]
    public void A_forwarded_ip_config_nothing_uses() => HasError("""
                Limit: 5
                AggregateKeyType: IP
                ForwardedIPConfig: { HeaderName: X-Forwarded-For, FallbackBehavior: MATCH }
        """, 11, 9, "'ForwardedIPConfig' is used only by");

    [Fact]
    public void A_forwarded_ip_config_takes_no_position() => HasError("""
                Limit: 5
                AggregateKeyType: FORWARDED_IP
                ForwardedIPConfig: { HeaderName: X-Forwarded-For, FallbackBehavior: MATCH, Position: LAST }
        """, 11, 84, "unknown key 'Position'");

    [Fact]
    public void A_rate_finer_than_the_clock() => HasError("""
                Limit: 2000000000
                EvaluationWindowSec: 1
                AggregateKeyType: IP
        """, new Upstream.FakeTimeProvider(), 9, 9, "finer than the clock");

    [Fact]
    public void A_broken_scope_down_is_reported_where_it_is() => HasError("""
                Limit: 5
                AggregateKeyType: IP
                ScopeDownStatement: { ByteMatchStatement: { SearchString: x, PositionalConstraint: BEGINS_WITH, FieldToMatch: { UriPath: {} } } }
        """, 11, 92, "'PositionalConstraint': expected EXACTLY");

    [Fact]
    public void A_rate_based_statement_inside_a_scope_down_is_refused() => HasError("""
                Limit: 5
                AggregateKeyType: IP
                ScopeDownStatement: { RateBasedStatement: { Limit: 5, AggregateKeyType: IP } }
        """, 11, 31, "must be a rule's top-level 'Statement'");

    [Fact]
    public void A_rate_based_statement_nested_in_a_logical_statement_is_refused()
    {
        var result = WafCompiler.CompileFile(files.Write("nested.yaml", """
            Name: acl
            DefaultAction: { Allow: {} }
            Rules:
              - Name: rate
                Priority: 1
                Action: { Block: {} }
                Statement:
                  NotStatement:
                    Statement:
                      RateBasedStatement: { Limit: 5, AggregateKeyType: IP }
            """), new WafCounterRegistry(), DateTimeOffset.UtcNow);
        var error = Assert.Single(result.Errors);
        Assert.Equal((10, 11), (error.Mark.Line, error.Mark.Column));
        Assert.Contains("put the other conditions in its 'ScopeDownStatement'", error.Message, StringComparison.Ordinal);
    }
}
