using System.Net;
using System.Text.Json;
using EdgeServer.Config;
using static EdgeServer.Tests.Config.ConfigAssert;

namespace EdgeServer.Tests.Config;

public sealed class BindingTests
{
    private const string Full = """
        listeners:
          - name: public
            address: '[::]:8443'
            trustForwardedHeaders: TRUE
          - name: internal
            address: 10.1.2.3:8080
        admin:
          enabled: true
          address: '[::1]:9000'
        limits:
          maxRequestLineBytes: 4KiB
          maxHeaderBytes: 16KB
          maxHeaderCount: 50
          maxBodyBytes: 0
          headerTimeout: 1m30s
          keepAliveTimeout: 250ms
          maxConnections: 5
          maxResponseHeaderBytes: 1024
        routes:
          - name: m
            match: {hosts: ['*.example.com'], path: /x, pathMatch: exact, methods: [post]}
            mock:
              status: 404
              headers: {x-a: ' b '}
              body: nope
            maxBodyBytes: 1MB
        accessLog: {enabled: false, path: /var/log/edge.log}
        echoBackend: {enabled: false, address: 127.0.0.1:8443}
        """;

    [Fact]
    public void Every_member_binds()
    {
        var c = Valid(Full);
        Assert.Equal(IPEndPoint.Parse("[::]:8443"), c.Listeners[0].Address);
        Assert.True(c.Listeners[0].TrustForwardedHeaders);
        Assert.Equal("internal", c.Listeners[1].Name);
        Assert.Equal(IPEndPoint.Parse("[::1]:9000"), c.Admin.Address);
        Assert.Equal(4096, c.Limits.MaxRequestLineBytes);
        Assert.Equal(16000, c.Limits.MaxHeaderBytes);
        Assert.Equal(50, c.Limits.MaxHeaderCount);
        Assert.Equal(0, c.Limits.MaxBodyBytes);
        Assert.Equal(TimeSpan.FromSeconds(90), c.Limits.HeaderTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(250), c.Limits.KeepAliveTimeout);
        Assert.Equal(5, c.Limits.MaxConnections);
        Assert.Equal(1024, c.Limits.MaxResponseHeaderBytes);
        var r = Assert.Single(c.Routes);
        Assert.Equal(["*.example.com"], r.Hosts);
        Assert.Equal(["POST"], r.Methods);
        Assert.Equal(404, r.Mock!.Status);
        Assert.Equal([new("x-a", "b")], r.Mock.Headers);
        Assert.Equal("nope", r.Mock.Body);
        Assert.Equal(1_000_000, r.MaxBodyBytes);
        Assert.Equal(new EdgeServer.Config.Model.SourceMark(ConfigAssert.File, 20, 5), r.Mark);
        Assert.False(c.AccessLog.Enabled);
        Assert.Equal("/var/log/edge.log", c.AccessLog.Path);
        Assert.False(c.EchoBackend.Enabled);
        Assert.Equal(8443, c.EchoBackend.Address.Port);
    }

    [Fact]
    public void Json_has_every_field_in_config_syntax()
    {
        var json = ConfigJson.ToJsonString(Valid(Full));
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal("[::]:8443", root.GetProperty("listeners")[0].GetProperty("address").GetString());
        Assert.True(root.GetProperty("listeners")[0].GetProperty("trustForwardedHeaders").GetBoolean());
        Assert.Equal("test.yaml:2:5", root.GetProperty("listeners")[0].GetProperty("source").GetString());
        Assert.False(root.GetProperty("admin").GetProperty("allowPublic").GetBoolean());
        var limits = root.GetProperty("limits");
        Assert.Equal(4096, limits.GetProperty("maxRequestLineBytes").GetInt32());
        Assert.Equal("1m30s", limits.GetProperty("headerTimeout").GetString());
        Assert.Equal("250ms", limits.GetProperty("keepAliveTimeout").GetString());
        var route = root.GetProperty("routes")[0];
        Assert.Equal("exact", route.GetProperty("match").GetProperty("pathMatch").GetString());
        Assert.Equal("b", route.GetProperty("mock").GetProperty("headers").GetProperty("x-a").GetString());
        Assert.Equal(1_000_000, route.GetProperty("maxBodyBytes").GetInt64());
        Assert.False(root.GetProperty("accessLog").GetProperty("enabled").GetBoolean());
        Assert.Equal("127.0.0.1:8443", root.GetProperty("echoBackend").GetProperty("address").GetString());
    }

    [Fact]
    public void Json_of_the_default_config_round_trips_cluster_values()
    {
        EdgeServer.Tests.Config.DefaultConfigCertificates.Ensure();
        var json = ConfigJson.ToJsonString(ConfigLoader.LoadYaml(DefaultConfig.Yaml, DefaultConfig.SourceName).Config!);
        using var doc = JsonDocument.Parse(json);
        var cluster = doc.RootElement.GetProperty("clusters")[0];
        Assert.Equal("127.0.0.1:8081", cluster.GetProperty("destinations")[0].GetString());
        Assert.Equal("roundRobin", cluster.GetProperty("loadBalancing").GetString());
        Assert.Equal("29s", cluster.GetProperty("responseTimeout").GetString());
        Assert.Equal("50s", cluster.GetProperty("idleTimeout").GetString());
        Assert.Equal(JsonValueKind.Null, cluster.GetProperty("activeHealth").ValueKind);
        Assert.Equal("30s", cluster.GetProperty("passiveHealth").GetProperty("ejectDuration").GetString());
    }

    [Fact]
    public void Secrets_are_redacted()
    {
        Assert.Null(ConfigJson.Redact(null));
        Assert.Null(ConfigJson.Redact(""));
        Assert.Equal(ConfigJson.RedactedValue, ConfigJson.Redact("hunter2"));
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            ConfigJson.WriteSecret(w, "keyPassword", "hunter2");
            ConfigJson.WriteSecret(w, "apiKeyHash", null);
            w.WriteEndObject();
        }
        Assert.Equal("{\"keyPassword\":\"<redacted>\",\"apiKeyHash\":null}", System.Text.Encoding.UTF8.GetString(buffer.ToArray()).Replace("\\u003C", "<", StringComparison.Ordinal).Replace("\\u003E", ">", StringComparison.Ordinal));
    }
}
