using System.Net;
using EdgeServer.Config;
using EdgeServer.Config.Model;

namespace EdgeServer.Tests.Config;

public sealed class DefaultConfigTests
{
    [Fact]
    public void Embedded_default_loads_without_errors_and_with_the_documented_values()
    {
        DefaultConfigCertificates.Ensure();
        var result = ConfigLoader.LoadYaml(DefaultConfig.Yaml, DefaultConfig.SourceName);
        Assert.True(result.Ok, string.Join("\n", result.Errors));
        var c = result.Config!;

        Assert.Equal(DefaultConfig.SourceName, c.SourceFile);
        Assert.Equal(2, c.Listeners.Count);
        var listener = c.Listeners[0];
        Assert.Equal("public", listener.Name);
        Assert.Equal(IPEndPoint.Parse("127.0.0.1:8080"), listener.Address);
        Assert.False(listener.TrustForwardedHeaders);
        Assert.Null(listener.Tls);
        Assert.Equal(new SourceMark(DefaultConfig.SourceName, 15, 5), listener.Mark);
        var mtls = c.Listeners[1];
        Assert.Equal(IPEndPoint.Parse("127.0.0.1:8443"), mtls.Address);
        Assert.Equal(ClientCertificateMode.Require, mtls.Tls!.ClientCertificates.Mode);
        Assert.Equal(Path.GetFullPath("certs/dev/server.crt"), mtls.Tls.Certificates[0].CertificateFile);
        Assert.Equal([Path.GetFullPath("certs/dev/ca.crl")], mtls.Tls.ClientCertificates.Crls);

        Assert.True(c.Admin.Enabled);
        Assert.Equal(IPEndPoint.Parse("127.0.0.1:9901"), c.Admin.Address);

        Assert.Equal(8 * 1024, c.Limits.MaxRequestLineBytes);
        Assert.Equal(32 * 1024, c.Limits.MaxHeaderBytes);
        Assert.Equal(100, c.Limits.MaxHeaderCount);
        Assert.Equal(10L * 1024 * 1024, c.Limits.MaxBodyBytes);
        Assert.Equal(TimeSpan.FromSeconds(10), c.Limits.HeaderTimeout);
        Assert.Equal(TimeSpan.FromSeconds(75), c.Limits.KeepAliveTimeout);
        Assert.Equal(10_000, c.Limits.MaxConnections);

        Assert.Equal(2, c.Routes.Count);
        var hello = c.Routes[0];
        Assert.Equal("hello", hello.Name);
        Assert.Equal("/", hello.Path);
        Assert.Equal(PathMatchKind.Exact, hello.PathMatch);
        Assert.Equal(["GET", "HEAD"], hello.Methods);
        Assert.Null(hello.Cluster);
        Assert.Equal(200, hello.Mock!.Status);
        Assert.Equal([new("content-type", "application/json")], hello.Mock.Headers);
        Assert.StartsWith("{\"message\":\"Hello from EdgeServer\"", hello.Mock.Body, StringComparison.Ordinal);

        var echo = c.Routes[1];
        Assert.Equal("echo", echo.Cluster);
        Assert.Equal("/echo/", echo.Path);
        Assert.Equal(PathMatchKind.Prefix, echo.PathMatch);
        Assert.Equal(1L << 30, echo.MaxBodyBytes);
        Assert.Empty(echo.Hosts);
        Assert.Empty(echo.Methods);
        Assert.Equal(new SourceMark(DefaultConfig.SourceName, 56, 14), echo.ClusterMark);
        // ws://127.0.0.1:8080/echo/ws works out of the box: the echo route relays WebSockets with the default limits.
        Assert.Equal(new WebSocketConfig { Enabled = true, Mark = echo.WebSocket!.Mark }, echo.WebSocket);

        var cluster = Assert.Single(c.Clusters);
        Assert.Equal("echo", cluster.Name);
        Assert.Equal([new DnsOrIpEndPoint("127.0.0.1", 8081)], cluster.Destinations);
        Assert.Equal(LoadBalancingPolicy.RoundRobin, cluster.LoadBalancing);
        Assert.Equal(TimeSpan.FromSeconds(5), cluster.ConnectTimeout);
        Assert.Equal(TimeSpan.FromSeconds(29), cluster.ResponseTimeout);
        Assert.Null(cluster.ActiveHealth);

        Assert.True(c.AccessLog.Enabled);
        Assert.Equal("stdout", c.AccessLog.Path);
        Assert.True(c.EchoBackend.Enabled);
        Assert.Equal(IPEndPoint.Parse("127.0.0.1:8081"), c.EchoBackend.Address);
    }

    [Fact]
    public void LoadFile_reads_a_file_and_names_it_in_marks()
    {
        // Beside the working directory's certs/dev, which the default's relative TLS paths then name.
        DefaultConfigCertificates.Ensure();
        var path = Path.Combine(Directory.GetCurrentDirectory(), $"edge-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, DefaultConfig.Yaml);
        try
        {
            var result = ConfigLoader.LoadFile(path);
            Assert.True(result.Ok, string.Join("\n", result.Errors));
            Assert.Equal(path, result.Config!.SourceFile);
            Assert.Equal(path, result.Config.Routes[0].Mark.File);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void LoadFile_missing_file_is_an_error_naming_the_file()
    {
        var path = Path.Combine(Path.GetTempPath(), "does-not-exist-edge.yaml");
        var error = Assert.Single(ConfigLoader.LoadFile(path).Errors);
        Assert.Equal($"{path}:1:1: config file not found", error.ToString());
    }

    [Fact]
    public void LoadFile_directory_is_an_error()
    {
        var error = Assert.Single(ConfigLoader.LoadFile(Path.GetTempPath()).Errors);
        Assert.Contains("directory", error.Message, StringComparison.Ordinal);
    }
}
