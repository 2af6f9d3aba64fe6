using EdgeServer.Protocol.Http1;

namespace EdgeServer.Protocol.Tests.Http1;

/// <summary>Heads rented from the array pools (whose arrays may be larger than asked) keep the exact limits.</summary>
public sealed class PooledRequestHeadTests
{
    private static readonly HttpParserLimits Small = new(MaxStartLineBytes: 64, MaxHeaderBytes: 128, MaxHeaderCount: 4);

    [Fact]
    public void A_rented_head_parses_like_an_allocated_one()
    {
        var head = RequestHead.CreatePooled();
        Assert.False(head.HasArrays);
        head.RentArrays(Small);
        var request = Encoding.ASCII.GetBytes("GET /x?y=1 HTTP/1.1\r\nHost: a\r\nX: 1\r\n\r\n");
        Assert.Equal(ParseStatus.Complete, Http1RequestParser.TryParse(Sequences.SplitAt(request, 7), head, Small, out var consumed));
        Assert.Equal(request.Length, consumed);
        Assert.Equal("/x"u8.ToArray(), head.Path.ToArray());
        head.ReturnArrays();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Limits_hold_even_when_the_rented_array_is_larger(bool multiSegment)
    {
        var head = RequestHead.CreatePooled();
        head.RentArrays(Small);
        Assert.True(head.Buffer.Length >= Small.MaxHeadBytes);
        var longLine = Encoding.ASCII.GetBytes($"GET /{new string('a', 100)} HTTP/1.1\r\nHost: a\r\n\r\n");
        var sequence = multiSegment ? Sequences.OneBytePerSegment(longLine) : Sequences.Single(longLine);
        Assert.Equal(ParseStatus.Error, Http1RequestParser.TryParse(sequence, head, Small, out _));
        Assert.Equal(HttpParseError.RequestLineTooLong, head.Error);

        var manyBytes = Encoding.ASCII.GetBytes($"GET / HTTP/1.1\r\nHost: a\r\nX: {new string('b', 200)}\r\n\r\n");
        sequence = multiSegment ? Sequences.OneBytePerSegment(manyBytes) : Sequences.Single(manyBytes);
        Assert.Equal(ParseStatus.Error, Http1RequestParser.TryParse(sequence, head, Small, out _));
        Assert.Equal(HttpParseError.HeadersTooLarge, head.Error);
        head.ReturnArrays();
    }

    [Fact]
    public void Returned_arrays_leave_an_empty_head_that_rents_again_on_demand()
    {
        var head = RequestHead.CreatePooled();
        head.RentArrays(Small);
        head.ReturnArrays();
        Assert.False(head.HasArrays);
        Assert.Equal(0, head.HeaderCount);
        Assert.Throws<ArgumentException>(() => Http1RequestParser.TryParse(Sequences.Single("GET / HTTP/1.1\r\n\r\n"u8.ToArray()), head, Small, out _));

        head.RentArrays(Small);
        Assert.Equal(ParseStatus.Complete, Http1RequestParser.TryParse(Sequences.Single("GET /z HTTP/1.1\r\nHost: a\r\n\r\n"u8.ToArray()), head, Small, out _));
        Assert.Equal("/z"u8.ToArray(), head.Path.ToArray());
    }
}
