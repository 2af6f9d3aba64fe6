using EdgeServer.Protocol.Http1;

namespace EdgeServer.Protocol.Tests.Http1;

/// <summary>
/// Chunked bodies (RFC 9112 §7.1), each fed whole, one byte per segment, one byte per call, cut in two at
/// every point (as two segments and as two calls), and as every prefix: all must agree, and the decoder
/// must stop exactly at the end of the body however many bytes follow.
/// </summary>
public class ChunkedBodyDecoderTests
{
    private const string Next = "GET /next HTTP/1.1\r\n"; // bytes of the next message: never consumed

    private readonly record struct Outcome(ChunkedStatus Status, long Consumed, long DataBytes, HttpParseError Error);

    [Theory]
    [InlineData("0\r\n\r\n", 0)]
    [InlineData("5\r\nhello\r\n0\r\n\r\n", 5)]
    [InlineData("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", 11)]
    [InlineData("A\r\n0123456789\r\n0\r\n\r\n", 10)]
    [InlineData("a\r\n0123456789\r\n00\r\n\r\n", 10)]
    [InlineData("0005\r\nhello\r\n0\r\n\r\n", 5)]
    [InlineData("5;ext\r\nhello\r\n0\r\n\r\n", 5)]
    [InlineData("5;a=b;c=\"d e\\\"f\"\r\nhello\r\n0;last\r\n\r\n", 5)]
    [InlineData("5 ; a = b\r\nhello\r\n0\r\n\r\n", 5)]
    [InlineData("5\t;\ta\t=\t\"\u00e9\"\r\nhello\r\n0\r\n\r\n", 5)]
    [InlineData("5\r\nhel\r\n\r\n0\r\n\r\n", 5)]                     // CRLF inside data is data
    [InlineData("5\r\nhello\r\n0\r\nExpires: never\r\nX-Sum:  abc \u00ff\r\n\r\n", 5)]
    [InlineData("5\r\nhello\r\n0\r\nX-Empty:\r\n\r\n", 5)]
    public void Decodes_valid_bodies(string body, long dataBytes)
    {
        var outcome = Run(body + Next, long.MaxValue);
        Assert.Equal(new Outcome(ChunkedStatus.Done, body.Length, dataBytes, HttpParseError.None), outcome);
    }

    [Theory]
    [InlineData("", HttpParseError.None)]
    [InlineData("5\r\nhel", HttpParseError.None)]
    [InlineData("5\r\nhello\r\n0\r\n", HttpParseError.None)]
    [InlineData("5\r\nhello\r\n0\r\nX: y\r\n", HttpParseError.None)]
    public void Partial_bodies_need_more_data(string body, HttpParseError error)
    {
        var outcome = Run(body, long.MaxValue);
        Assert.Equal(ChunkedStatus.NeedMoreData, outcome.Status);
        Assert.Equal(body.Length, outcome.Consumed);
        Assert.Equal(error, outcome.Error);
    }

    [Theory]
    [InlineData("g\r\n", HttpParseError.InvalidChunkSize)]
    [InlineData("\r\n", HttpParseError.InvalidChunkSize)]
    [InlineData(" 5\r\nhello\r\n0\r\n\r\n", HttpParseError.InvalidChunkSize)]
    [InlineData("+5\r\nhello\r\n0\r\n\r\n", HttpParseError.InvalidChunkSize)]
    [InlineData("-5\r\n", HttpParseError.InvalidChunkSize)]
    [InlineData("0x5\r\nhello\r\n0\r\n\r\n", HttpParseError.InvalidChunkSize)]
    [InlineData("5\nhello\r\n0\r\n\r\n", HttpParseError.InvalidChunkSize)]        // bare LF after the size
    [InlineData("5\rhello\r\n0\r\n\r\n", HttpParseError.InvalidChunkSize)]        // bare CR after the size
    [InlineData("5 \r\nhello\r\n0\r\n\r\n", HttpParseError.InvalidChunkExtension)] // whitespace not followed by ';'
    [InlineData("5 5\r\nhello\r\n0\r\n\r\n", HttpParseError.InvalidChunkExtension)]
    [InlineData("5;\r\nhello\r\n0\r\n\r\n", HttpParseError.InvalidChunkExtension)]
    [InlineData("5;=x\r\nhello\r\n0\r\n\r\n", HttpParseError.InvalidChunkExtension)]
    [InlineData("5;a=\r\nhello\r\n0\r\n\r\n", HttpParseError.InvalidChunkExtension)]
    [InlineData("5;a b\r\nhello\r\n0\r\n\r\n", HttpParseError.InvalidChunkExtension)]
    [InlineData("5;a=b \r\nhello\r\n0\r\n\r\n", HttpParseError.InvalidChunkExtension)]
    [InlineData("5;a=\"b\r\nhello\r\n0\r\n\r\n", HttpParseError.InvalidChunkExtension)]
    [InlineData("5;a=\"b\"c\r\nhello\r\n0\r\n\r\n", HttpParseError.InvalidChunkExtension)]
    [InlineData("5;a=b\0\r\nhello\r\n0\r\n\r\n", HttpParseError.InvalidChunkExtension)]
    [InlineData("5;a\nhello\r\n0\r\n\r\n", HttpParseError.InvalidChunkExtension)]
    [InlineData("5\r\nhelloX\r\n0\r\n\r\n", HttpParseError.InvalidChunkTerminator)]
    [InlineData("5\r\nhello\n0\r\n\r\n", HttpParseError.InvalidChunkTerminator)]
    [InlineData("5\r\nhello\rX0\r\n\r\n", HttpParseError.InvalidChunkTerminator)]
    [InlineData("5\r\nhell\r\n0\r\n\r\n", HttpParseError.InvalidChunkTerminator)]  // data shorter than declared
    [InlineData("5\r\nhello\r\n0\r\nX : y\r\n\r\n", HttpParseError.InvalidTrailer)]
    [InlineData("5\r\nhello\r\n0\r\n y\r\n\r\n", HttpParseError.InvalidTrailer)]
    [InlineData("5\r\nhello\r\n0\r\nX: y\r\n z\r\n\r\n", HttpParseError.InvalidTrailer)]
    [InlineData("5\r\nhello\r\n0\r\nX: a\0b\r\n\r\n", HttpParseError.InvalidTrailer)]
    [InlineData("5\r\nhello\r\n0\r\nX: a\nb\r\n\r\n", HttpParseError.InvalidTrailer)]
    [InlineData("5\r\nhello\r\n0\r\nX\r\n\r\n", HttpParseError.InvalidTrailer)]
    [InlineData("5\r\nhello\r\n0\r\n\rX", HttpParseError.InvalidTrailer)]
    [InlineData("5\r\nhello\r\n0\r\n\n", HttpParseError.InvalidTrailer)]
    [InlineData("ffffffffffffffffff\r\n", HttpParseError.ChunkSizeOverflow)]
    [InlineData("8000000000000000\r\n", HttpParseError.ChunkSizeOverflow)]
    public void Refuses_malformed_bodies(string body, HttpParseError expected)
    {
        var outcome = Run(body, long.MaxValue);
        Assert.Equal(ChunkedStatus.Error, outcome.Status);
        Assert.Equal(expected, outcome.Error);
    }

    [Fact]
    public void Largest_chunk_size_that_fits_a_long_is_accepted()
    {
        var decoder = new ChunkedBodyDecoder();
        var status = decoder.Process(Sequences.Single(Sequences.Bytes("7fffffffffffffff\r\nabc")), long.MaxValue, out var consumed);
        Assert.Equal(ChunkedStatus.NeedMoreData, status);
        Assert.Equal(21, consumed);
        Assert.Equal(3, decoder.DataBytes);
    }

    [Fact]
    public void Error_consumed_stops_before_the_offending_byte()
    {
        var outcome = Run("5\r\nhelloX", long.MaxValue);
        Assert.Equal(new Outcome(ChunkedStatus.Error, 8, 5, HttpParseError.InvalidChunkTerminator), outcome);
    }

    [Fact]
    public void Body_larger_than_the_limit_is_413_as_soon_as_the_size_is_read()
    {
        Assert.Equal(new Outcome(ChunkedStatus.Done, 20, 10, HttpParseError.None), Run("a\r\n0123456789\r\n0\r\n\r\n", 10));
        var outcome = Run("5\r\nhello\r\n6\r\n", 10);
        Assert.Equal(ChunkedStatus.Error, outcome.Status);
        Assert.Equal(HttpParseError.BodyTooLarge, outcome.Error);
        Assert.Equal(11, outcome.Consumed); // the CR that ends the second size line is where it is known
        Assert.Equal(413, HttpParseErrors.StatusCode(HttpParseError.BodyTooLarge));
        Assert.Equal(HttpParseError.BodyTooLarge, Run("b;x=1\r\n", 10).Error);
    }

    [Fact]
    public void Chunk_size_line_is_bounded()
    {
        var zeros = new string('0', ChunkedBodyDecoder.MaxChunkLineBytes + 1);
        Assert.Equal(HttpParseError.InvalidChunkSize, Run(zeros, long.MaxValue).Error);
        var ext = "5;" + new string('a', ChunkedBodyDecoder.MaxChunkLineBytes);
        Assert.Equal(HttpParseError.InvalidChunkExtension, Run(ext, long.MaxValue).Error);
        var fits = "5;" + new string('a', ChunkedBodyDecoder.MaxChunkLineBytes - 4) + "\r\nhello\r\n0\r\n\r\n";
        Assert.Equal(ChunkedStatus.Done, Run(fits, long.MaxValue).Status);
    }

    [Fact]
    public void Trailers_are_bounded()
    {
        var sb = new StringBuilder("0\r\n");
        while (sb.Length < ChunkedBodyDecoder.MaxTrailerBytes + 10) sb.Append("X-Trailer: 0123456789012345678901234567890123456789\r\n");
        var decoder = new ChunkedBodyDecoder();
        var status = decoder.Process(Sequences.Single(Sequences.Bytes(sb + "\r\n")), long.MaxValue, out _);
        Assert.Equal(ChunkedStatus.Error, status);
        Assert.Equal(HttpParseError.InvalidTrailer, decoder.Error);
    }

    [Fact]
    public void Large_chunks_are_skipped_in_bulk_across_calls()
    {
        var data = new byte[1 << 20];
        Array.Fill(data, (byte)'x');
        var decoder = new ChunkedBodyDecoder();
        Assert.Equal(ChunkedStatus.NeedMoreData, decoder.Process(Sequences.Single(Sequences.Bytes("100000\r\n")), long.MaxValue, out _));
        for (var i = 0; i < 16; i++)
        {
            Assert.Equal(ChunkedStatus.NeedMoreData, decoder.Process(Sequences.Single(data.AsSpan(i * 65536, 65536).ToArray()), long.MaxValue, out var c));
            Assert.Equal(65536, c);
        }
        Assert.Equal(ChunkedStatus.Done, decoder.Process(Sequences.Single(Sequences.Bytes("\r\n0\r\n\r\n" + Next)), long.MaxValue, out var last));
        Assert.Equal(7, last);
        Assert.Equal(1 << 20, decoder.DataBytes);
        Assert.True(decoder.IsDone);
    }

    [Fact]
    public void After_done_or_error_nothing_more_is_consumed()
    {
        var decoder = new ChunkedBodyDecoder();
        Assert.Equal(ChunkedStatus.Done, decoder.Process(Sequences.Single(Sequences.Bytes("0\r\n\r\n")), 0, out _));
        Assert.Equal(ChunkedStatus.Done, decoder.Process(Sequences.Single(Sequences.Bytes("5\r\n")), 0, out var c));
        Assert.Equal(0, c);
        decoder.Reset();
        Assert.Equal(ChunkedStatus.Error, decoder.Process(Sequences.Single(Sequences.Bytes("z")), 0, out _));
        Assert.Equal(ChunkedStatus.Error, decoder.Process(Sequences.Single(Sequences.Bytes("0\r\n\r\n")), 0, out c));
        Assert.Equal(0, c);
        decoder.Reset();
        Assert.Equal(HttpParseError.None, decoder.Error);
        Assert.Equal(ChunkedStatus.Done, decoder.Process(Sequences.Single(Sequences.Bytes("0\r\n\r\n")), 0, out _));
    }

    /// <summary>Decodes every way; asserts all agree and that prefixes never finish early or fail differently.</summary>
    private static Outcome Run(string body, long max)
    {
        var data = Sequences.Bytes(body);
        var expected = Decode([Sequences.Single(data)], max);
        Assert.Equal(expected, Decode([Sequences.OneBytePerSegment(data)], max));
        Assert.Equal(expected, Decode(OneBytePerCall(data), max));
        for (var cut = 1; cut < data.Length; cut++)
        {
            Assert.Equal(expected, Decode([Sequences.SplitAt(data, cut)], max));
            Assert.Equal(expected, Decode([Sequences.Single(data[..cut]), Sequences.Single(data[cut..])], max));
        }
        for (var n = 0; n < data.Length; n++)
        {
            var partial = Decode([Sequences.Single(data[..n])], max);
            var ok = partial.Status == ChunkedStatus.NeedMoreData && partial.Consumed == n
                || (expected.Status != ChunkedStatus.NeedMoreData && n >= expected.Consumed && partial == expected)
                || (expected.Status == ChunkedStatus.Error && partial == expected);
            Assert.True(ok, $"prefix of {n} bytes: {partial}, whole body: {expected}");
        }
        return expected;
    }

    private static ReadOnlySequence<byte>[] OneBytePerCall(byte[] data)
    {
        var calls = new ReadOnlySequence<byte>[data.Length];
        for (var i = 0; i < data.Length; i++) calls[i] = Sequences.Single([data[i]]);
        return calls;
    }

    /// <summary>Feeds the calls as the proxy would: each call gets fresh bytes, until Done or Error.</summary>
    private static Outcome Decode(ReadOnlySequence<byte>[] calls, long max)
    {
        var decoder = new ChunkedBodyDecoder();
        long total = 0;
        var status = ChunkedStatus.NeedMoreData;
        foreach (var input in calls)
        {
            status = decoder.Process(input, max, out var consumed);
            Assert.InRange(consumed, 0, input.Length);
            total += consumed;
            if (status != ChunkedStatus.NeedMoreData) break;
            Assert.Equal(input.Length, consumed); // NeedMoreData takes in every byte it was given
        }
        return new Outcome(status, total, decoder.DataBytes, decoder.Error);
    }
}
