using static EdgeServer.Tests.Config.ConfigAssert;

namespace EdgeServer.Tests.Config;

/// <summary>Every kind of error, at its exact file:line:column, with a message that says what was expected.</summary>
public sealed class ConfigErrorTests
{
    // Appended sections start at line 5.
    private const string L = Listener;

    [Fact]
    public void Empty_file() => HasError("", 1, 1, "the config is empty", "'listeners'");

    [Fact]
    public void Comments_only() => HasError("# nothing here\n", 1, 1, "the config is empty");

    [Fact]
    public void Multiple_documents() => HasError("listeners: []\n---\nroutes: []\n", 3, 1, "expected a single YAML document");

    [Fact]
    public void Yaml_syntax_error_reports_the_parser_mark() => HasError("listeners:\n  - name: a\n bad: x\n", 3, 2, "invalid YAML");

    [Fact]
    public void Unclosed_flow_list_is_an_error_not_an_exception() => HasError("listeners: [a, b\nroutes: 3\n", 1, 14, "invalid YAML");

    [Fact]
    public void Duplicate_key() => HasError(L + "admin: {}\n", 5, 1, "Duplicate key");

    [Fact]
    public void Top_level_must_be_a_mapping() => HasError("- a\n- b\n", 1, 1, "expected a mapping");

    [Fact]
    public void Unknown_top_level_key_with_suggestion() =>
        HasError(L + "rutes: []\n", 5, 1, "unknown key 'rutes' in the top level (did you mean 'routes'?)", "expected one of: listeners, admin");

    [Fact]
    public void Unknown_key_without_suggestion() =>
        HasError(L + "limits:\n  zzz: 1\n", 6, 3, "unknown key 'zzz' in limits; expected one of: maxRequestLineBytes");

    [Fact]
    public void Wrong_case_key_suggests_the_right_spelling() =>
        HasError(L + "limits:\n  MaxHeaderCount: 5\n", 6, 3, "(did you mean 'maxHeaderCount'?)");

    [Fact]
    public void Missing_listeners() => HasError("routes: []\n", 1, 1, "missing 'listeners'");

    [Fact]
    public void Empty_listener_list() => HasError("listeners: []\n", 1, 12, "expected at least one listener");

    [Fact]
    public void Listeners_must_be_a_list() => HasError("listeners: 3\n", 1, 12, "'listeners': expected a list", "got '3'");

    [Fact]
    public void Listener_entry_must_be_a_mapping() => HasError("listeners:\n  - 127.0.0.1:80\n", 2, 5, "expected a mapping", "got '127.0.0.1:80'");

    [Fact]
    public void Listener_missing_address() => HasError("listeners:\n  - name: a\n", 2, 5, "listener is missing 'address'");

    [Fact]
    public void Listener_missing_name() => HasError("listeners:\n  - address: 127.0.0.1:1\n", 2, 5, "listener is missing 'name'");

    [Fact]
    public void Listener_bad_address() =>
        HasError("listeners:\n  - name: a\n    address: localhost:80\n", 3, 14, "'address': expected an IP address and port", "got 'localhost:80'", "not an IP address");

    [Fact]
    public void Listener_port_out_of_range() =>
        HasError("listeners:\n  - name: a\n    address: 127.0.0.1:70000\n", 3, 14, "port must be a number from 0 to 65535");

    [Fact]
    public void Listener_bad_bool() =>
        HasError("listeners:\n  - name: a\n    address: 127.0.0.1:1\n    trustForwardedHeaders: yes\n", 4, 28, "expected true or false, got 'yes'");

    [Fact]
    public void Name_with_bad_characters() =>
        HasError("listeners:\n  - name: a b\n    address: 127.0.0.1:1\n", 2, 11, "expected a name of letters, digits");

    [Fact]
    public void Empty_value_is_reported_as_no_value() =>
        HasError("listeners:\n  - name:\n    address: 127.0.0.1:1\n", 2, 10, "'name': expected a name", "got no value");

    [Fact]
    public void Duplicate_listener_names() =>
        HasError("listeners:\n  - {name: a, address: 127.0.0.1:1}\n  - {name: a, address: 127.0.0.1:2}\n", 3, 12, "duplicate listener name 'a' (first defined at line 2)");

    [Fact]
    public void Duplicate_listener_addresses() =>
        HasError("listeners:\n  - {name: a, address: 127.0.0.1:1}\n  - {name: b, address: 127.0.0.1:1}\n", 3, 24, "listener 'b' address 127.0.0.1:1 clashes with listener 'a'");

    [Fact]
    public void Wildcard_listener_clashes_with_specific_address() =>
        HasError("listeners:\n  - {name: a, address: 0.0.0.0:80}\n  - {name: b, address: 10.0.0.1:80}\n", 3, 24, "clashes with listener 'a' address 0.0.0.0:80");

    [Fact]
    public void Ipv6_wildcard_listener_clashes_with_ipv4() =>
        HasError("listeners:\n  - {name: a, address: '[::]:80'}\n  - {name: b, address: 10.0.0.1:80}\n", 3, 24, "clashes");

    [Fact]
    public void Port_zero_listeners_do_not_clash() =>
        Valid("listeners:\n  - {name: a, address: 127.0.0.1:0}\n  - {name: b, address: 127.0.0.1:0}\nadmin: {enabled: false}\n");

    [Fact]
    public void Admin_on_a_listener_address() =>
        HasError("listeners:\n  - {name: a, address: 127.0.0.1:9901}\nadmin:\n  address: 127.0.0.1:9901\n", 4, 12, "admin address 127.0.0.1:9901 clashes with listener 'a'");

    [Fact]
    public void Default_admin_address_clash_points_at_the_top() =>
        HasError("listeners:\n  - {name: a, address: 127.0.0.1:9901}\n", 1, 1, "admin address 127.0.0.1:9901 clashes");

    [Fact]
    public void Echo_backend_clashes_with_listener() =>
        HasError(L + "echoBackend:\n  enabled: true\n  address: 127.0.0.1:8080\n", 7, 12, "echoBackend address 127.0.0.1:8080 clashes with listener 'public'");

    [Fact]
    public void Public_admin_requires_allowPublic() =>
        HasError("listeners:\n  - {name: a, address: 127.0.0.1:1}\nadmin:\n  address: 0.0.0.0:9901\n", 4, 12, "not a loopback address", "'allowPublic: true'");

    [Fact]
    public void Public_admin_with_allowPublic_is_accepted()
    {
        var c = Valid("listeners:\n  - {name: a, address: 127.0.0.1:1}\nadmin:\n  address: 0.0.0.0:9901\n  allowPublic: true\n");
        Assert.True(c.Admin.AllowPublic);
    }

    [Fact]
    public void Disabled_public_admin_is_fine() => Valid("listeners:\n  - {name: a, address: 127.0.0.1:1}\nadmin:\n  enabled: false\n  address: 0.0.0.0:9901\n");

    [Fact]
    public void Ipv6_loopback_admin_is_fine() => Valid("listeners:\n  - {name: a, address: 127.0.0.1:1}\nadmin:\n  address: '[::1]:9901'\n");

    [Theory]
    [InlineData("maxHeaderCount: 0", 17, "'maxHeaderCount' must be at least 1, got 0")]
    [InlineData("maxHeaderCount: -3", 17, "'maxHeaderCount' must be at least 1, got -3")]
    [InlineData("maxHeaderCount: many", 17, "'maxHeaderCount': expected a whole number, got 'many'")]
    [InlineData("maxHeaderCount: 99999999999", 17, "must be at most 2147483647")]
    [InlineData("maxConnections: 0", 17, "'maxConnections' must be at least 1")]
    [InlineData("maxBodyBytes: -1", 15, "'maxBodyBytes' must not be negative")]
    [InlineData("maxBodyBytes: 10 megs", 15, "expected a size such as 512, 8KiB")]
    [InlineData("maxRequestLineBytes: 8", 22, "'maxRequestLineBytes' must be at least 16")]
    [InlineData("maxHeaderBytes: 2GiB", 17, "must be at most 1073741824")]
    [InlineData("maxResponseHeaderBytes: 10", 25, "must be at least 64")]
    [InlineData("headerTimeout: 0s", 16, "'headerTimeout' must be greater than zero")]
    [InlineData("headerTimeout: 10", 16, "expected a duration such as 250ms, 10s")]
    [InlineData("keepAliveTimeout: -5s", 19, "'keepAliveTimeout': must not be negative")]
    [InlineData("keepAliveTimeout: [1]", 19, "expected a duration", "got a list")]
    public void Limits(string line, int column, params string[] fragments) => HasError(L + "limits:\n  " + line + "\n", 6, column + 2, fragments);

    [Fact]
    public void Limits_must_be_a_mapping() => HasError(L + "limits: 5\n", 5, 9, "'limits': expected a mapping", "got '5'");

    [Fact]
    public void All_errors_are_collected()
    {
        var result = Load(L + "limits:\n  maxHeaderCount: 0\n  headerTimeout: soon\n  bogus: 1\n");
        Assert.Equal(["test.yaml:6:19", "test.yaml:7:18", "test.yaml:8:3"], result.Errors.Select(e => e.Mark.ToString()));
    }
}
