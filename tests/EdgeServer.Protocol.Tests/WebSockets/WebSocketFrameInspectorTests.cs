using EdgeServer.Protocol.WebSockets;
using static EdgeServer.Protocol.Tests.WebSockets.TestFrames;

namespace EdgeServer.Protocol.Tests.WebSockets;

/// <summary>
/// The relay's view of one direction (RFC 6455 §5): every stream is fed whole, byte by byte, one byte per segment
/// and cut at every point (see <see cref="InspectorHarness"/>), and must get the same events and verdict.
/// </summary>
public class WebSocketFrameInspectorTests
{
    private static readonly WebSocketInspectorOptions Client = WebSocketInspectorOptions.FromClient;
    private static readonly WebSocketInspectorOptions Server = WebSocketInspectorOptions.FromServer;

    private static InspectorHarness.Outcome Run(byte[] stream, WebSocketInspectorOptions options, long refuseAt = -1) =>
        InspectorHarness.Run(stream, options, refuseAt);

    private static void AssertViolation(byte[] stream, WebSocketInspectorOptions options, WebSocketViolation violation, long frameOffset, ushort closeCode)
    {
        var outcome = Run(stream, options);
        Assert.Equal(WebSocketInspectStatus.Violation, outcome.Status);
        Assert.Equal(violation, outcome.Violation);
        Assert.Equal(frameOffset, outcome.ViolationOffset);
        Assert.Equal(closeCode, WebSocketViolations.CloseCode(violation));
    }

    [Fact]
    public void Relays_single_frame_messages_both_ways()
    {
        var client = Concat(Text("Hello", masked: true), Frame(WebSocketOpcode.Binary, [1, 2, 3], masked: true));
        var outcome = Run(client, Client);
        Assert.Equal(WebSocketInspectStatus.NeedMoreData, outcome.Status);
        Assert.Equal(client.Length, outcome.Forwarded);
        Assert.Equal("""
            frame Text fin=True rsv=0 len=5 at=0
            message Text 5 compressed=False
            frame Binary fin=True rsv=0 len=3 at=11
            message Binary 3 compressed=False
            """.ReplaceLineEndings("\n"), outcome.Events);

        var server = Concat(Text("Hello", masked: false), Text("", masked: false));
        Assert.Equal(WebSocketInspectStatus.NeedMoreData, Run(server, Server).Status);
    }

    [Fact]
    public void Rfc_examples_are_accepted()
    {
        // RFC 6455 §5.7: unmasked and masked "Hello", a fragmented unmasked text message, an unmasked ping.
        Assert.Equal(WebSocketInspectStatus.NeedMoreData, Run([0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f], Server).Status);
        Assert.Equal(WebSocketInspectStatus.NeedMoreData, Run([0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58], Client).Status);
        var fragmented = Run([0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f], Server);
        Assert.EndsWith("message Text 5 compressed=False", fragmented.Events);
        Assert.Contains("Ping 'Hello'", Run([0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f], Server).Events);
        Assert.Contains("Pong 'Hello'", Run([0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58], Client).Events);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(125)]
    [InlineData(126)]
    [InlineData(127)]
    [InlineData(65535)]
    [InlineData(65536)]
    [InlineData(70000)]
    public void Every_length_encoding_boundary_is_accepted(int length)
    {
        var payload = new byte[length];
        new Random(length).NextBytes(payload);
        foreach (var masked in new[] { true, false })
        {
            var stream = Frame(WebSocketOpcode.Binary, payload, masked);
            // Long streams: whole, byte by byte and at the header's cuts only (the payload is skipped in bulk anyway).
            var options = masked ? Client : Server;
            var outcome = length <= 300 ? Run(stream, options) : InspectorHarness.Feed(stream, options, [stream.Length], -1, false);
            Assert.Equal(WebSocketInspectStatus.NeedMoreData, outcome.Status);
            Assert.Equal(stream.Length, outcome.Forwarded);
            Assert.Contains($"message Binary {length} ", outcome.Events);
            var bytewise = InspectorHarness.Feed(stream, options, Enumerable.Repeat(1, stream.Length).ToArray(), -1, false);
            Assert.Equal(outcome, bytewise);
        }
    }

    [Theory]
    [InlineData(2, 0)]
    [InlineData(2, 125)]
    [InlineData(8, 0)]
    [InlineData(8, 126)]
    [InlineData(8, 65535)]
    public void Non_minimal_lengths_are_protocol_errors(int lengthBytes, int length)
    {
        var stream = Concat(Text("ok", masked: true), Frame(WebSocketOpcode.Binary, new byte[length], masked: true, lengthBytes: lengthBytes));
        AssertViolation(stream, Client, WebSocketViolation.NonMinimalLength, 8, 1002);
    }

    [Fact]
    public void A_64_bit_length_with_the_high_bit_is_a_protocol_error()
    {
        byte[] stream = [0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4];
        AssertViolation(stream, Client, WebSocketViolation.LengthOverflow, 0, 1002);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(0xB)]
    [InlineData(0xF)]
    public void Reserved_opcodes_are_protocol_errors(int opcode)
    {
        var stream = Concat(Text("a", masked: true), Frame((WebSocketOpcode)opcode, [], masked: true));
        AssertViolation(stream, Client, WebSocketViolation.ReservedOpcode, 7, 1002);
    }

    [Fact]
    public void Client_frames_must_be_masked_and_server_frames_must_not()
    {
        AssertViolation(Concat(Text("a", true), Text("b", false)), Client, WebSocketViolation.UnmaskedClientFrame, 7, 1002);
        AssertViolation(Concat(Text("a", false), Text("b", true)), Server, WebSocketViolation.MaskedServerFrame, 3, 1002);
        AssertViolation(Frame(WebSocketOpcode.Ping, [], masked: false), Client, WebSocketViolation.UnmaskedClientFrame, 0, 1002);
        AssertViolation(Frame(WebSocketOpcode.Close, [], masked: true), Server, WebSocketViolation.MaskedServerFrame, 0, 1002);
    }

    [Theory]
    [InlineData(WebSocketOpcode.Ping)]
    [InlineData(WebSocketOpcode.Pong)]
    [InlineData(WebSocketOpcode.Close)]
    public void Control_frames_are_at_most_125_bytes_and_never_fragmented(WebSocketOpcode opcode)
    {
        var full = new byte[125];
        full[0] = 0x03; // close code 1000 for the close case
        full[1] = 0xE8;
        Array.Fill(full, (byte)'x', 2, 123);
        var expected = opcode == WebSocketOpcode.Close ? WebSocketInspectStatus.Closed : WebSocketInspectStatus.NeedMoreData;
        Assert.Equal(expected, Run(Frame(opcode, full, masked: true), Client).Status);
        AssertViolation(Frame(opcode, new byte[126], masked: true), Client, WebSocketViolation.ControlFrameTooLong, 0, 1002);
        AssertViolation(Frame(opcode, new byte[65536], masked: true), Client, WebSocketViolation.ControlFrameTooLong, 0, 1002);
        AssertViolation(Frame(opcode, [], masked: true, fin: false), Client, WebSocketViolation.FragmentedControlFrame, 0, 1002);
    }

    [Fact]
    public void Fragmented_messages_with_interleaved_control_frames()
    {
        var stream = Concat(
            Frame(WebSocketOpcode.Text, "Hel"u8, masked: true, fin: false),
            Frame(WebSocketOpcode.Ping, "p1"u8, masked: true),
            Frame(WebSocketOpcode.Continuation, ""u8, masked: true, fin: false),
            Frame(WebSocketOpcode.Pong, ""u8, masked: true),
            Frame(WebSocketOpcode.Continuation, "lo"u8, masked: true, fin: true),
            Frame(WebSocketOpcode.Binary, [9], masked: true, fin: false),
            Frame(WebSocketOpcode.Continuation, [8], masked: true),
            Close(1000, "bye", masked: true));
        var outcome = Run(stream, Client);
        Assert.Equal(WebSocketInspectStatus.Closed, outcome.Status);
        Assert.Equal(stream.Length, outcome.Forwarded);
        Assert.Equal("""
            frame Text fin=False rsv=0 len=3 at=0
            frame Ping fin=True rsv=0 len=2 at=9
            Ping 'p1'
            frame Continuation fin=False rsv=0 len=0 at=17
            frame Pong fin=True rsv=0 len=0 at=23
            Pong ''
            frame Continuation fin=True rsv=0 len=2 at=29
            message Text 5 compressed=False
            frame Binary fin=False rsv=0 len=1 at=37
            frame Continuation fin=True rsv=0 len=1 at=44
            message Binary 2 compressed=False
            frame Close fin=True rsv=0 len=5 at=51
            close 1000 'bye'
            """.ReplaceLineEndings("\n"), outcome.Events);
    }

    [Fact]
    public void Continuation_without_a_message_and_a_new_message_inside_one_are_protocol_errors()
    {
        AssertViolation(Frame(WebSocketOpcode.Continuation, "x"u8, masked: true), Client, WebSocketViolation.UnexpectedContinuation, 0, 1002);
        var afterEnd = Concat(Text("a", masked: true), Frame(WebSocketOpcode.Continuation, "x"u8, masked: true));
        AssertViolation(afterEnd, Client, WebSocketViolation.UnexpectedContinuation, 7, 1002);
        var nested = Concat(Text("a", masked: true, fin: false), Frame(WebSocketOpcode.Ping, [], masked: true), Frame(WebSocketOpcode.Binary, [1], masked: true));
        AssertViolation(nested, Client, WebSocketViolation.ExpectedContinuation, 13, 1002);
        var nestedText = Concat(Text("a", masked: false, fin: false), Text("b", masked: false));
        AssertViolation(nestedText, Server, WebSocketViolation.ExpectedContinuation, 3, 1002);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(7)]
    public void Reserved_bits_need_an_extension(int rsv)
    {
        var stream = Concat(Text("a", masked: true), Frame(WebSocketOpcode.Binary, [1], masked: true, rsv: rsv));
        AssertViolation(stream, Client, WebSocketViolation.ReservedBitsSet, 7, 1002);
        var deflate = Client with { PerMessageDeflate = true };
        if (rsv == WebSocketFrameHeader.Rsv1) Assert.Contains("compressed=True", Run(stream, deflate).Events);
        else AssertViolation(stream, deflate, WebSocketViolation.ReservedBitsSet, 7, 1002);
    }

    [Fact]
    public void Under_permessage_deflate_rsv1_marks_the_first_frame_only()
    {
        var deflate = Server with { PerMessageDeflate = true };
        var compressed = Concat(
            Frame(WebSocketOpcode.Text, [0xFF, 0xFE], masked: false, fin: false, rsv: 4), // not UTF-8: compressed bytes are not judged
            Frame(WebSocketOpcode.Ping, [], masked: false),
            Frame(WebSocketOpcode.Continuation, [0x00], masked: false),
            Frame(WebSocketOpcode.Text, "plain"u8, masked: false));
        var outcome = Run(compressed, deflate);
        Assert.Equal(WebSocketInspectStatus.NeedMoreData, outcome.Status);
        Assert.Contains("message Text 3 compressed=True", outcome.Events);
        Assert.Contains("message Text 5 compressed=False", outcome.Events);

        var onContinuation = Concat(Frame(WebSocketOpcode.Text, "a"u8, masked: false, fin: false), Frame(WebSocketOpcode.Continuation, "b"u8, masked: false, rsv: 4));
        AssertViolation(onContinuation, deflate, WebSocketViolation.MisplacedCompressionBit, 3, 1002);
        AssertViolation(Frame(WebSocketOpcode.Ping, [], masked: false, rsv: 4), deflate, WebSocketViolation.MisplacedCompressionBit, 0, 1002);
        AssertViolation(Frame(WebSocketOpcode.Close, [], masked: false, rsv: 4), deflate, WebSocketViolation.MisplacedCompressionBit, 0, 1002);
        // Uncompressed text under deflate is still checked.
        AssertViolation(Frame(WebSocketOpcode.Text, [0xFF], masked: false), deflate, WebSocketViolation.InvalidUtf8Text, 0, 1007);
    }

    [Fact]
    public void Every_close_code_is_judged()
    {
        for (var code = 0; code <= ushort.MaxValue; code++)
        {
            var inspector = new WebSocketFrameInspector(Client);
            var events = new EventLog();
            var status = inspector.Inspect(Close(code, "", masked: true), ref events, out _);
            var valid = code is (>= 1000 and <= 1003) or (>= 1007 and <= 1014) or (>= 3000 and <= 4999);
            Assert.True(valid == (status == WebSocketInspectStatus.Closed), $"close code {code}: {status}");
            if (!valid) Assert.Equal(WebSocketViolation.InvalidCloseCode, inspector.Violation);
        }
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(1001)]
    [InlineData(1002)]
    [InlineData(1003)]
    [InlineData(1007)]
    [InlineData(1008)]
    [InlineData(1009)]
    [InlineData(1010)]
    [InlineData(1011)]
    [InlineData(1012)]
    [InlineData(1013)]
    [InlineData(1014)]
    [InlineData(3000)]
    [InlineData(4999)]
    public void Valid_close_codes_are_reported_with_their_reason(int code)
    {
        var outcome = Run(Close(code, "going ✓", masked: true), Client);
        Assert.Equal(WebSocketInspectStatus.Closed, outcome.Status);
        Assert.EndsWith($"close {code} 'going ✓'", outcome.Events);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(999)]
    [InlineData(1004)]
    [InlineData(1005)]
    [InlineData(1006)]
    [InlineData(1015)]
    [InlineData(1016)]
    [InlineData(2999)]
    [InlineData(5000)]
    [InlineData(65535)]
    public void Invalid_close_codes_are_protocol_errors(int code)
    {
        AssertViolation(Concat(Text("a", masked: true), Close(code, "", masked: true)), Client, WebSocketViolation.InvalidCloseCode, 7, 1002);
    }

    [Fact]
    public void Close_payloads_are_empty_or_a_code_and_a_utf8_reason()
    {
        var empty = Run(Frame(WebSocketOpcode.Close, [], masked: true), Client);
        Assert.Equal(WebSocketInspectStatus.Closed, empty.Status);
        Assert.EndsWith("close 1005 ''", empty.Events);
        AssertViolation(Frame(WebSocketOpcode.Close, [0x03], masked: true), Client, WebSocketViolation.InvalidClosePayload, 0, 1002);
        AssertViolation(Frame(WebSocketOpcode.Close, [0x03, 0xE8, 0xCE, 0xBA, 0xE1], masked: true), Client, WebSocketViolation.InvalidUtf8CloseReason, 0, 1007);
        AssertViolation(Frame(WebSocketOpcode.Close, [0x03, 0xE8, 0xED, 0xA0, 0x80], masked: false), Server, WebSocketViolation.InvalidUtf8CloseReason, 0, 1007);
    }

    [Fact]
    public void No_data_frame_may_follow_a_close_frame()
    {
        var stream = Concat(Close(1000, "", masked: true), Frame(WebSocketOpcode.Pong, [], masked: true), Text("late", masked: true));
        var outcome = Run(stream, Client);
        AssertViolation(stream, Client, WebSocketViolation.FrameAfterClose, 14, 1002);
        Assert.Equal(14, outcome.Forwarded);
        Assert.Contains("Pong ''", outcome.Events);
    }

    [Fact]
    public void Text_must_be_utf8_when_validation_is_on()
    {
        byte[] invalid = [0x48, 0xC0, 0xAF];
        var stream = Concat(Text("ok", masked: true), Frame(WebSocketOpcode.Text, invalid, masked: true));
        AssertViolation(stream, Client, WebSocketViolation.InvalidUtf8Text, 8, 1007);
        Assert.Equal(WebSocketInspectStatus.NeedMoreData, Run(stream, Client with { ValidateUtf8 = false }).Status);
        // Binary is never judged.
        Assert.Equal(WebSocketInspectStatus.NeedMoreData, Run(Frame(WebSocketOpcode.Binary, invalid, masked: true), Client).Status);
    }

    [Fact]
    public void A_message_ending_inside_a_code_point_is_invalid()
    {
        var stream = Concat(Frame(WebSocketOpcode.Text, [0xE2, 0x82], masked: true, fin: false), Frame(WebSocketOpcode.Continuation, [], masked: true));
        AssertViolation(stream, Client, WebSocketViolation.InvalidUtf8Text, 8, 1007);
        var finished = Concat(Frame(WebSocketOpcode.Text, [0xE2, 0x82], masked: true, fin: false), Frame(WebSocketOpcode.Continuation, [0xAC], masked: true));
        Assert.Contains("message Text 3", Run(finished, Client).Events);
    }

    [Fact]
    public void Utf8_split_at_every_position_across_frames_is_accepted()
    {
        var text = Encoding.UTF8.GetBytes("aé€𐍈ü𝄞z\u07FF\uFFFD\U0010FFFF");
        for (var cut = 0; cut <= text.Length; cut++)
        {
            foreach (var masked in new[] { true, false })
            {
                var stream = Concat(
                    Frame(WebSocketOpcode.Text, text.AsSpan(0, cut), masked, fin: false),
                    Frame(WebSocketOpcode.Ping, "x"u8, masked),
                    Frame(WebSocketOpcode.Continuation, text.AsSpan(cut), masked, key: 0x01020304));
                var outcome = Run(stream, masked ? Client : Server);
                Assert.True(outcome.Status == WebSocketInspectStatus.NeedMoreData, $"cut {cut} masked {masked}: {outcome.Violation}");
                Assert.EndsWith($"message Text {text.Length} compressed=False", outcome.Events);
            }
        }
    }

    [Fact]
    public void Invalid_utf8_split_at_every_position_across_frames_is_refused()
    {
        // Valid text, then an overlong, a surrogate, a code point above U+10FFFF, a stray continuation, a truncated sequence.
        byte[][] bad = [[0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x80], [0xE2, 0x82, 0x41]];
        foreach (var tail in bad)
        {
            var text = Concat("κόσμε"u8.ToArray(), tail, "!"u8.ToArray());
            for (var cut = 0; cut <= text.Length; cut++)
            {
                var stream = Concat(
                    Frame(WebSocketOpcode.Text, text.AsSpan(0, cut), masked: true, fin: false),
                    Frame(WebSocketOpcode.Continuation, text.AsSpan(cut), masked: true));
                var outcome = Run(stream, Client);
                Assert.Equal(WebSocketViolation.InvalidUtf8Text, outcome.Violation);
                // Fail fast: the frame holding the first byte that cannot be valid is the one refused.
                var firstBad = "κόσμε"u8.Length + (tail[0] == 0xE2 ? 2 : tail[0] == 0x80 ? 0 : 1);
                var expectedFrame = cut > firstBad ? 0 : cut == 0 ? 6 : 6 + cut;
                Assert.True(expectedFrame == outcome.ViolationOffset, $"tail {Convert.ToHexString(tail)} cut {cut}: at {outcome.ViolationOffset}");
            }
        }
    }

    [Fact]
    public void Frame_and_message_size_limits_are_1009()
    {
        var limited = Client with { MaxFramePayloadBytes = 10, MaxMessageBytes = 15 };
        Assert.Equal(WebSocketInspectStatus.NeedMoreData, Run(Frame(WebSocketOpcode.Binary, new byte[10], masked: true), limited).Status);
        AssertViolation(Frame(WebSocketOpcode.Binary, new byte[11], masked: true), limited, WebSocketViolation.FrameTooBig, 0, 1009);
        var message = Concat(
            Frame(WebSocketOpcode.Binary, new byte[10], masked: true, fin: false),
            Frame(WebSocketOpcode.Continuation, new byte[5], masked: true, fin: false),
            Frame(WebSocketOpcode.Continuation, new byte[1], masked: true));
        AssertViolation(message, limited, WebSocketViolation.MessageTooBig, 16 + 11, 1009);
        // Control frames count toward neither.
        var withPing = Concat(Frame(WebSocketOpcode.Binary, new byte[10], masked: true, fin: false), Frame(WebSocketOpcode.Ping, new byte[100], masked: true),
            Frame(WebSocketOpcode.Continuation, new byte[5], masked: true));
        Assert.Equal(WebSocketInspectStatus.NeedMoreData, Run(withPing, limited).Status);
        // The limit is judged from the header: a 2^62-byte frame is refused before any payload.
        byte[] huge = [0x82, 0xFF, 0x40, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4];
        AssertViolation(huge, Client, WebSocketViolation.FrameTooBig, 0, 1009);
    }

    [Fact]
    public void A_handler_can_refuse_a_frame_before_its_first_byte()
    {
        var stream = Concat(Text("one", masked: true), Text("two", masked: true), Frame(WebSocketOpcode.Ping, [], masked: true));
        var outcome = Run(stream, Client, refuseAt: 9);
        Assert.Equal(WebSocketViolation.RefusedByHandler, outcome.Violation);
        Assert.Equal(9, outcome.Forwarded);
        Assert.Equal(1008, WebSocketViolations.CloseCode(outcome.Violation));
        Assert.Equal(WebSocketViolation.RefusedByHandler, Run(stream, Client, refuseAt: 18).Violation);
    }

    [Fact]
    public void Unfinished_headers_and_control_frames_are_held_back()
    {
        var inspector = new WebSocketFrameInspector(Client);
        var events = new EventLog();
        var ping = Frame(WebSocketOpcode.Ping, "abc"u8, masked: true);
        var text = Text("hi", masked: true);
        var stream = Concat(text, ping);
        Assert.Equal(WebSocketInspectStatus.NeedMoreData, inspector.Inspect(stream.AsMemory(0, stream.Length - 1), ref events, out var consumed));
        Assert.Equal(text.Length, consumed); // the ping waits until all of it is here
        Assert.Equal(WebSocketInspectStatus.NeedMoreData, inspector.Inspect(stream.AsMemory(text.Length), ref events, out consumed));
        Assert.Equal(ping.Length, consumed);
        Assert.Equal(WebSocketInspectStatus.NeedMoreData, inspector.Inspect(Text("x", masked: true).AsMemory(0, 5), ref events, out consumed));
        Assert.Equal(0, consumed); // 5 of a 6-byte header
    }

    [Fact]
    public void Payload_is_forwarded_as_it_arrives_and_a_late_utf8_error_says_so()
    {
        var inspector = new WebSocketFrameInspector(Client);
        var events = new EventLog();
        var frame = Frame(WebSocketOpcode.Text, Concat(new byte[1000].Select(_ => (byte)'a').ToArray(), [0xFF]), masked: true);
        Assert.Equal(WebSocketInspectStatus.NeedMoreData, inspector.Inspect(frame.AsMemory(0, 500), ref events, out var consumed));
        Assert.Equal(500, consumed);
        Assert.Equal(WebSocketInspectStatus.Violation, inspector.Inspect(frame.AsMemory(500), ref events, out consumed));
        Assert.Equal(0, consumed);
        Assert.True(inspector.ViolatingFramePartlyForwarded);
        Assert.Equal(0, inspector.ViolationOffset);
        Assert.Equal(1007, inspector.CloseCode);
        // Sticky until Reset.
        Assert.Equal(WebSocketInspectStatus.Violation, inspector.Inspect(Text("a", true).AsMemory(), ref events, out consumed));
        inspector.Reset();
        Assert.Equal(WebSocketInspectStatus.NeedMoreData, inspector.Inspect(Text("a", true).AsMemory(), ref events, out consumed));
        Assert.Equal(7, consumed);
    }

    [Fact]
    public void A_default_inspector_refuses_to_run()
    {
        var inspector = default(WebSocketFrameInspector);
        var events = new EventLog();
        Assert.Throws<InvalidOperationException>(() => inspector.Inspect(Text("a", true).AsMemory(), ref events, out _));
    }

    [Fact]
    public void Random_streams_agree_across_feeding_modes()
    {
        // Property: any mix of valid frames and single corrupted bytes is judged the same however it is cut.
        var random = new Random(6455);
        for (var round = 0; round < 150; round++)
        {
            var masked = random.Next(2) == 0;
            var parts = new List<byte[]>();
            var open = false;
            for (var f = random.Next(1, 6); f > 0; f--)
            {
                var kind = random.Next(4);
                if (kind == 0) parts.Add(Frame(WebSocketOpcode.Ping, RandomText(random, random.Next(0, 20)), masked));
                else
                {
                    var opcode = open ? WebSocketOpcode.Continuation : WebSocketOpcode.Text;
                    var fin = random.Next(2) == 0;
                    parts.Add(Frame(opcode, RandomText(random, random.Next(0, 300)), masked, fin, key: (uint)random.Next()));
                    open = !fin;
                }
            }
            var stream = Concat([.. parts]);
            if (random.Next(3) == 0) stream[random.Next(stream.Length)] ^= (byte)(1 << random.Next(8));
            Run(stream, masked ? Client : Server);
        }
    }

    private static byte[] RandomText(Random random, int chars)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < chars; i++)
        {
            sb.Append(random.Next(4) switch
            {
                0 => (char)random.Next(0x20, 0x7F),
                1 => (char)random.Next(0x80, 0x800),
                2 => (char)random.Next(0x800, 0xD800),
                _ => "😀",
            });
        }
        return Encoding.UTF8.GetBytes(sb.ToString());
    }
}
