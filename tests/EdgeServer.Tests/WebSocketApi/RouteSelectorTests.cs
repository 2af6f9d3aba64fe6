using System.Text;
using EdgeServer.WebSocketApi;

namespace EdgeServer.Tests.WebSocketApi;

/// <summary>$request.body.PATH over JSON messages: which key a message names, and everything that names none.</summary>
public sealed class RouteSelectorTests
{
    private static readonly byte[][] Keys = [.. new[] { "sendMessage", "join", "héllo" }.Select(Encoding.UTF8.GetBytes)];

    private static int Select(string expression, string message)
    {
        Assert.True(RouteSelector.TryParse(expression, out var selector, out var problem), problem);
        return selector!.Select(Encoding.UTF8.GetBytes(message), Keys);
    }

    [Theory]
    [InlineData("""{"action":"sendMessage"}""", 0)]
    [InlineData("""{"x":{"action":"nope"},"y":[1,{"a":2}],"action":"join"}""", 1)]
    [InlineData("""{"action":"join","action":"sendMessage"}""", 1)]      // the first occurrence decides
    [InlineData("""{"action":"\u006aoin"}""", 1)]                        // escapes are compared decoded
    [InlineData("""{"action":"h\u00e9llo"}""", 2)]
    [InlineData("""  {"action" : "sendMessage" }  """, 0)]
    public void Finds_the_named_key(string message, int expected) => Assert.Equal(expected, Select("$request.body.action", message));

    [Theory]
    [InlineData("not json")]
    [InlineData("""["sendMessage"]""")]
    [InlineData("\"sendMessage\"")]
    [InlineData("""{"action":"SendMessage"}""")]                         // keys are case-sensitive
    [InlineData("""{"action":42}""")]
    [InlineData("""{"action":null}""")]
    [InlineData("""{"action":{"action":"join"}}""")]
    [InlineData("""{"other":"join"}""")]
    [InlineData("""{"action":"jo""")]                                    // cut short
    [InlineData("")]
    public void Names_none(string message) => Assert.Equal(-1, Select("$request.body.action", message));

    [Fact]
    public void Follows_a_nested_path() =>
        Assert.Equal(1, Select("$request.body.meta.route", """{"meta":{"v":1,"route":"join"},"route":"sendMessage"}"""));

    [Fact]
    public void A_nested_path_through_a_non_object_names_none() =>
        Assert.Equal(-1, Select("$request.body.meta.route", """{"meta":"join"}"""));

    [Theory]
    [InlineData("$request.header.action")]
    [InlineData("$request.body.")]
    [InlineData("$request.body.a..b")]
    [InlineData("action")]
    public void Rejects_other_expressions(string expression) => Assert.False(RouteSelector.TryParse(expression, out _, out _));

    [Fact]
    public void Selecting_allocates_nothing()
    {
        Assert.True(RouteSelector.TryParse("$request.body.action", out var selector, out _));
        var message = Encoding.UTF8.GetBytes("""{"id":7,"payload":{"a":[1,2,3]},"action":"join"}""");
        selector!.Select(message, Keys);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var found = 0;
        for (var i = 0; i < 1000; i++) found += selector.Select(message, Keys);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(1000, found);
        Assert.Equal(0, allocated);
    }
}
