using System.Text;
using EdgeServer.Config.Model;
using EdgeServer.Routing;

namespace EdgeServer.Tests.Routing;

public sealed class MockResponseTests
{
    private static CompiledRoute Compile(MockConfig mock) => new(new RouteConfig { Name = "m", Mock = mock }, 0);

    [Fact]
    public void Head_has_status_line_headers_and_content_length_without_the_final_crlf()
    {
        var route = Compile(new MockConfig { Status = 200, Headers = [new("content-type", "application/json")], Body = "{\"é\":1}" });
        Assert.Equal("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nContent-Length: 8\r\n", Encoding.Latin1.GetString(route.MockHead!));
        Assert.Equal("{\"é\":1}", Encoding.UTF8.GetString(route.MockBody!));
    }

    [Fact]
    public void No_content_has_no_content_length() =>
        Assert.Equal("HTTP/1.1 204 No Content\r\n", Encoding.Latin1.GetString(Compile(new MockConfig { Status = 204 }).MockHead!));

    [Fact]
    public void Unknown_status_keeps_the_space_before_an_empty_reason() =>
        Assert.StartsWith("HTTP/1.1 299 \r\n", Encoding.Latin1.GetString(Compile(new MockConfig { Status = 299 }).MockHead!), StringComparison.Ordinal);

    [Fact]
    public void Cluster_routes_have_no_mock_bytes()
    {
        var route = new CompiledRoute(new RouteConfig { Name = "c", Cluster = "x" }, 0);
        Assert.Null(route.MockHead);
        Assert.Null(route.MockBody);
    }
}
