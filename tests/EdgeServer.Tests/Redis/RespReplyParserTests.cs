using System.Buffers;
using System.Text;
using System.Globalization;
using EdgeServer.Redis;

namespace EdgeServer.Tests.Redis;

/// <summary>
/// The reply parser on its own: every RESP2 type and the RESP3 types it tolerates, each reply split at
/// every byte boundary and fed one byte per segment (as a socket may deliver it), every strict prefix
/// reported incomplete, and malformed input refused instead of guessed at.
/// </summary>
public sealed class RespReplyParserTests
{
    public static TheoryData<string, string> Replies => new()
    {
        { ":0\r\n", "int:0" },
        { ":-123\r\n", "int:-123" },
        { ":9223372036854775807\r\n", "int:9223372036854775807" },
        { "+OK\r\n", "simple:OK" },
        { "+PONG\r\n", "simple:PONG" },
        { "+hello world\r\n", "simple:hello world" },
        { "-ERR unknown command 'X'\r\n", "error:ERR unknown command 'X'" },
        { "-NOSCRIPT No matching script.\r\n", "error:NOSCRIPT No matching script." },
        { "$5\r\nhello\r\n", "bulk:hello" },
        { "$0\r\n\r\n", "bulk:" },
        { "$12\r\nhello\r\nworld\r\n", "bulk:hello\r\nworld" },
        { "$-1\r\n", "null" },
        { "*-1\r\n", "null" },
        { "*0\r\n", "array[]" },
        { "*2\r\n:1\r\n:-2\r\n", "array[int:1,int:-2]" },
        { "*4\r\n:1\r\n:2\r\n:3\r\n:4\r\n", "array[int:1,int:2,int:3,int:4]" },
        { "*5\r\n:1\r\n:2\r\n:3\r\n:4\r\n:5\r\n", "array[int:1,int:2,int:3,int:4,int:5]" },
        { "*3\r\n:1\r\n$1\r\nx\r\n*1\r\n:7\r\n", "array[int:1,bulk:x,array[int:7]]" },
        { "*2\r\n$-1\r\n:4\r\n", "array[null,int:4]" },
        { "*2\r\n:4\r\n-ERR inner\r\n", "array[int:4,error:ERR inner]" },
        // RESP3, should a server speak it
        { "_\r\n", "null" },
        { "#t\r\n", "int:1" },
        { "#f\r\n", "int:0" },
        { ",3.14\r\n", "simple:3.14" },
        { "(3492890328409238509324850943850943825024385\r\n", "simple:3492890328409238509324850943850943825024385" },
        { "=15\r\ntxt:Some string\r\n", "bulk:Some string" },
        { "!21\r\nSYNTAX invalid syntax\r\n", "error:SYNTAX invalid syntax" },
        { "%2\r\n+a\r\n:1\r\n+b\r\n:2\r\n", "array[simple:a,int:1,simple:b,int:2]" },
        { "~2\r\n:1\r\n:2\r\n", "array[int:1,int:2]" },
        { "|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n:42\r\n", "int:42" },
    };

    [Theory]
    [MemberData(nameof(Replies))]
    public void Reply_split_at_every_byte_boundary_parses_the_same(string wire, string expected)
    {
        var bytes = Encoding.UTF8.GetBytes(wire);
        Assert.Equal(expected, ParseWhole(new ReadOnlySequence<byte>(bytes), bytes.Length));
        for (var cut = 0; cut <= bytes.Length; cut++)
            Assert.Equal(expected, ParseWhole(ByteSequences.SplitAt(bytes, cut), bytes.Length));
        Assert.Equal(expected, ParseWhole(ByteSequences.OneBytePerSegment(bytes), bytes.Length));
    }

    [Theory]
    [MemberData(nameof(Replies))]
    public void Every_strict_prefix_is_incomplete(string wire, string expected)
    {
        _ = expected;
        var bytes = Encoding.UTF8.GetBytes(wire);
        for (var length = 0; length < bytes.Length; length++)
        {
            foreach (var materialize in (bool[])[true, false])
            {
                var reader = new SequenceReader<byte>(ByteSequences.OneBytePerSegment(bytes[..length]));
                Assert.Equal(RespParseStatus.Incomplete, RespReplyParser.TryRead(ref reader, materialize, out _));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Replies))]
    public void Stepping_over_a_reply_consumes_exactly_that_reply(string wire, string expected)
    {
        _ = expected;
        var bytes = Encoding.UTF8.GetBytes(wire + ":99\r\n");
        for (var cut = 0; cut <= bytes.Length; cut++)
        {
            var reader = new SequenceReader<byte>(ByteSequences.SplitAt(bytes, cut));
            Assert.Equal(RespParseStatus.Complete, RespReplyParser.TryRead(ref reader, materialize: false, out _));
            Assert.Equal(Encoding.UTF8.GetByteCount(wire), reader.Consumed);
            // The next reply is intact after the skipped one.
            Assert.Equal(RespParseStatus.Complete, RespReplyParser.TryRead(ref reader, materialize: true, out var next));
            Assert.Equal(99, next.Integer);
        }
    }

    [Fact]
    public void A_RESP3_push_answers_no_command_and_is_stepped_over()
    {
        var bytes = Encoding.UTF8.GetBytes(">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n:5\r\n");
        for (var cut = 0; cut <= bytes.Length; cut++)
        {
            var reader = new SequenceReader<byte>(ByteSequences.SplitAt(bytes, cut));
            Assert.Equal(RespParseStatus.Push, RespReplyParser.TryRead(ref reader, materialize: true, out _));
            Assert.Equal(RespParseStatus.Complete, RespReplyParser.TryRead(ref reader, materialize: true, out var reply));
            Assert.Equal(5, reply.Integer);
        }
    }

    [Theory]
    [InlineData("?what\r\n")]
    [InlineData(":12a\r\n")]
    [InlineData(":\r\n")]
    [InlineData(":+5\r\n")]
    [InlineData(":99999999999999999999\r\n")]
    [InlineData(":123456789012345678901234567890")] // no CRLF within any number's length
    [InlineData("$-2\r\n")]
    [InlineData("$3\r\nabcd\r\n")]
    [InlineData("$99999999999\r\n")]
    [InlineData("*-5\r\n")]
    [InlineData("*2000000\r\n")]
    [InlineData("#x\r\n")]
    [InlineData("_x\r\n")]
    [InlineData("=-1\r\n")]
    public void Malformed_replies_are_invalid(string wire)
    {
        var bytes = Encoding.UTF8.GetBytes(wire);
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
        Assert.Equal(RespParseStatus.Invalid, RespReplyParser.TryRead(ref reader, materialize: true, out _));
    }

    [Fact]
    public void Nesting_deeper_than_the_limit_is_invalid()
    {
        var deep = string.Concat(Enumerable.Repeat("*1\r\n", RespReplyParser.MaxDepth + 1)) + ":1\r\n";
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(deep)));
        Assert.Equal(RespParseStatus.Invalid, RespReplyParser.TryRead(ref reader, materialize: true, out _));

        var allowed = string.Concat(Enumerable.Repeat("*1\r\n", RespReplyParser.MaxDepth)) + ":1\r\n";
        reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(allowed)));
        Assert.Equal(RespParseStatus.Complete, RespReplyParser.TryRead(ref reader, materialize: true, out _));
    }

    [Fact]
    public void A_huge_array_header_allocates_nothing_before_its_items_arrive()
    {
        var bytes = Encoding.UTF8.GetBytes("*1000000\r\n:1\r\n:2\r\n");
        var sequence = new ReadOnlySequence<byte>(bytes);
        Parse(sequence); // warm up
        var before = GC.GetAllocatedBytesForCurrentThread();
        var status = Parse(sequence);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(RespParseStatus.Incomplete, status);
        Assert.True(allocated < 1024, $"allocated {allocated} bytes");

        static RespParseStatus Parse(ReadOnlySequence<byte> sequence)
        {
            var reader = new SequenceReader<byte>(sequence);
            return RespReplyParser.TryRead(ref reader, materialize: true, out _);
        }
    }

    [Theory]
    [InlineData(":42\r\n")]
    [InlineData("*3\r\n:1\r\n:0\r\n:1500\r\n")]
    [InlineData("+OK\r\n")]
    public void Integer_and_small_integer_array_replies_allocate_nothing(string wire)
    {
        var sequence = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(wire));
        var value = Parse(sequence);
        Assert.NotEqual(-1, value);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var sum = 0L;
        for (var i = 0; i < 100; i++) sum += Parse(sequence);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(100 * value, sum);

        static long Parse(ReadOnlySequence<byte> sequence)
        {
            var reader = new SequenceReader<byte>(sequence);
            // No Assert here: xunit's comparers allocate, and this loop is what is measured.
            if (RespReplyParser.TryRead(ref reader, materialize: true, out var result) != RespParseStatus.Complete) return -1;
            return result.Kind == RedisResultKind.Array ? result.GetInteger(result.Count - 1) : result.Kind == RedisResultKind.Integer ? result.Integer : result.Bytes.Length;
        }
    }

    private static string ParseWhole(ReadOnlySequence<byte> sequence, int length)
    {
        var reader = new SequenceReader<byte>(sequence);
        var status = RespReplyParser.TryRead(ref reader, materialize: true, out var result);
        Assert.Equal(RespParseStatus.Complete, status);
        Assert.Equal(length, reader.Consumed);
        return Describe(result);
    }

    internal static string Describe(RedisResult result) => result.Kind switch
    {
        RedisResultKind.Integer => "int:" + result.Integer.ToString(CultureInfo.InvariantCulture),
        RedisResultKind.SimpleString => "simple:" + Encoding.UTF8.GetString(result.Bytes),
        RedisResultKind.BulkString => "bulk:" + Encoding.UTF8.GetString(result.Bytes),
        RedisResultKind.Null => "null",
        RedisResultKind.Error => "error:" + result.Message,
        RedisResultKind.Array => "array[" + string.Join(",", Enumerable.Range(0, result.Count).Select(i => Describe(result[i]))) + "]",
        _ => result.Kind.ToString(),
    };
}
