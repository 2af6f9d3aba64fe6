using EdgeServer.Config;

namespace EdgeServer.Tests.Waf;

/// <summary>How the config names rule files: each problem is reported where the config or the rule file says it.</summary>
public sealed class WafConfigTests(WafTestFiles files) : IClassFixture<WafTestFiles>
{
    private string Acl(string name, string statement) => files.Write($"{Guid.NewGuid():N}.yaml", $$"""
        Name: {{name}}
        DefaultAction: { Allow: {} }
        Rules:
          - Name: r
            Priority: 1
            Action: { Block: {} }
            Statement: {{statement}}
        """);

    private const string PathRule = "{ ByteMatchStatement: { SearchString: /a, PositionalConstraint: STARTS_WITH, FieldToMatch: { UriPath: {} } } }";

    private ConfigLoadResult Load(string listenerWaf, string routeWaf = "", string extra = "")
    {
        var path = files.Write($"{Guid.NewGuid():N}-edge.yaml", $"""
            listeners:
              - name: public
                address: 127.0.0.1:18999
            {listenerWaf}
            admin: {"{"}enabled: false{"}"}
            routes:
              - name: r
                mock: {"{"}status: 200{"}"}
            {routeWaf}
            {extra}
            """);
        return ConfigLoader.LoadFile(path);
    }

    private static string Errors(ConfigLoadResult result) => string.Join("\n", result.Errors);

    [Fact]
    public void Listener_and_route_files_bind()
    {
        var listener = Acl("edge", PathRule);
        var route = Acl("api", PathRule);
        var shadow = Acl("api-next", PathRule);
        var result = Load($"    waf: {{ request: {listener} }}", $"    waf: {{ request: {route}, shadow: {shadow} }}");
        Assert.True(result.Ok, Errors(result));
        Assert.Equal(listener, result.Config!.Listeners[0].Waf!.Request);
        Assert.Equal((route, shadow), (result.Config.Routes[0].Waf!.Request, result.Config.Routes[0].Waf!.Shadow));
    }

    [Fact]
    public void Two_files_with_one_acl_name_are_refused()
    {
        var a = Acl("same", PathRule);
        var b = Acl("same", PathRule);
        var result = Load($"    waf: {{ request: {a} }}", $"    waf: {{ request: {b} }}");
        Assert.False(result.Ok);
        Assert.Contains($"{b}: web ACL name 'same' is also the name of {a}", Errors(result), StringComparison.Ordinal);
        // One file named by a listener and a route is one ACL, not a clash.
        Assert.True(Load($"    waf: {{ request: {a} }}", $"    waf: {{ request: {a} }}").Ok);
    }

    [Fact]
    public void A_missing_file_is_reported_where_the_config_names_it()
    {
        var result = Load("    waf: { request: nowhere.yaml }");
        var error = Assert.Single(result.Errors);
        Assert.Equal(4, error.Mark.Line);
        Assert.Contains("nowhere.yaml", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_connection_acl_takes_only_address_rules()
    {
        var result = Load($"    waf: {{ connection: {Acl("conn", PathRule)} }}");
        Assert.Contains("a connection ACL runs before any request is read", Errors(result), StringComparison.Ordinal);
        var geo = Load($"    waf: {{ connection: {Acl("conn2", "{ GeoMatchStatement: { CountryCodes: [KP] } }")} }}",
            extra: $"geo: {{ database: {EdgeServer.Geo.Tests.GeoTestData.MaxMindTest("GeoIP2-Country-Test.mmdb")} }}");
        Assert.True(geo.Ok, Errors(geo));
    }

    [Fact]
    public void Geo_rules_need_a_geo_database()
    {
        var file = Acl("geo", "{ GeoMatchStatement: { CountryCodes: [KP] } }");
        var result = Load($"    waf: {{ request: {file} }}");
        Assert.Contains($"{file} uses GeoMatch, but no geo database is configured", Errors(result), StringComparison.Ordinal);
    }

    [Fact]
    public void Shadow_needs_an_active_file() =>
        Assert.Contains("'shadow' is compared with 'request'", Errors(Load($"    waf: {{ shadow: {Acl("s", PathRule)} }}")), StringComparison.Ordinal);

    [Fact]
    public void Errors_inside_a_rule_file_carry_its_own_positions()
    {
        var file = Acl("bad", "{ ByteMatchStatement: { SearchString: /a, PositionalConstraint: SOMEWHERE, FieldToMatch: { UriPath: {} } } }");
        var error = Assert.Single(Load($"    waf: {{ request: {file} }}").Errors);
        Assert.Equal((file, 7), (error.Mark.File, error.Mark.Line));
        Assert.Contains("SOMEWHERE", error.Message, StringComparison.Ordinal);
    }
}
