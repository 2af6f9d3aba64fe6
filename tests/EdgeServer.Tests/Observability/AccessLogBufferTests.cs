using EdgeServer.Observability;

namespace EdgeServer.Tests.Observability;

public sealed class AccessLogBufferTests
{
    [Fact]
    public void Refuses_a_line_that_does_not_fit_and_takes_whole_lines_in_order()
    {
        var buffer = new AccessLogBuffer(10);

        Assert.True(buffer.TryAppend("abcd"u8, out int buffered));
        Assert.Equal(4, buffered);
        Assert.True(buffer.TryAppend("efgh"u8, out buffered));
        Assert.False(buffer.TryAppend("ijk"u8, out buffered));
        Assert.Equal(8, buffered);

        Assert.Equal("abcdefgh"u8.ToArray(), buffer.TakeBatch().ToArray());
        Assert.True(buffer.TryAppend("ijk"u8, out _));
        Assert.Equal("ijk"u8.ToArray(), buffer.TakeBatch().ToArray());
        Assert.True(buffer.TakeBatch().IsEmpty);
    }

    [Fact]
    public void Refuses_everything_once_closed_but_keeps_what_was_buffered()
    {
        var buffer = new AccessLogBuffer(10);
        Assert.True(buffer.TryAppend("ab"u8, out _));

        buffer.Close();

        Assert.False(buffer.TryAppend("cd"u8, out _));
        Assert.Equal("ab"u8.ToArray(), buffer.TakeBatch().ToArray());
    }
}
