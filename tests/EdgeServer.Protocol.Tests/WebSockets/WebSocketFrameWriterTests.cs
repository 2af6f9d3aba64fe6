using EdgeServer.Protocol.WebSockets;

namespace EdgeServer.Protocol.Tests.WebSockets;

/// <summary>Frames the edge writes are byte-exact (checked against the independent test builder) and accepted by the inspector.</summary>
public class WebSocketFrameWriterTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(125)]
    [InlineData(126)]
    [InlineData(65535)]
    [InlineData(65536)]
    public void Data_frames_match_the_reference_encoding(int length)
    {
        var payload = new byte[length];
        new Random(length).NextBytes(payload);
        foreach (var masked in new[] { false, true })
        {
            var mask = masked ? WebSocketMask.WithKey(TestFrames.Key) : WebSocketMask.None;
            var writer = new ArrayBufferWriter<byte>(16); // small blocks: the payload is copied in several pieces
            WebSocketFrameWriter.WriteBinary(writer, payload, mask);
            Assert.Equal(TestFrames.Frame(WebSocketOpcode.Binary, payload, masked), writer.WrittenSpan.ToArray());
            var span = new byte[WebSocketFrameWriter.GetFrameLength(length, masked)];
            Assert.Equal(span.Length, WebSocketFrameWriter.WriteFrame(span, WebSocketOpcode.Binary, true, payload, mask));
            Assert.Equal(writer.WrittenSpan.ToArray(), span);
        }
    }

    [Fact]
    public void Close_ping_pong_and_text_frames()
    {
        var writer = new ArrayBufferWriter<byte>();
        WebSocketFrameWriter.WriteClose(writer, 1001, "bye ✓"u8, WebSocketMask.None);
        Assert.Equal(TestFrames.Close(1001, "bye ✓", masked: false), writer.WrittenSpan.ToArray());

        writer.Clear();
        WebSocketFrameWriter.WriteClose(writer, 1009, "too big"u8, WebSocketMask.WithKey(TestFrames.Key));
        Assert.Equal(TestFrames.Close(1009, "too big", masked: true), writer.WrittenSpan.ToArray());

        writer.Clear();
        WebSocketFrameWriter.WriteClose(writer, WebSocketCloseCodes.NoStatusReceived, default, WebSocketMask.None);
        Assert.Equal(new byte[] { 0x88, 0x00 }, writer.WrittenSpan.ToArray());

        writer.Clear();
        WebSocketFrameWriter.WritePing(writer, "Hello"u8, WebSocketMask.None);
        WebSocketFrameWriter.WritePong(writer, "Hello"u8, WebSocketMask.WithKey(TestFrames.Key));
        WebSocketFrameWriter.WriteText(writer, "Hel"u8, WebSocketMask.None, endOfMessage: false);
        WebSocketFrameWriter.WriteFrame(writer, WebSocketOpcode.Continuation, true, "lo"u8, WebSocketMask.None);
        // RFC 6455 §5.7's examples, byte for byte.
        Assert.Equal(Convert.FromHexString("890548656c6c6f" + "8a8537fa213d7f9f4d5158" + "010348656c" + "80026c6f"), writer.WrittenSpan.ToArray());
    }

    [Fact]
    public void Written_frames_pass_the_inspector()
    {
        var toServer = new ArrayBufferWriter<byte>();
        var mask = WebSocketMask.Random();
        WebSocketFrameWriter.WriteText(toServer, "héllo"u8, mask, endOfMessage: false);
        WebSocketFrameWriter.WritePing(toServer, "k"u8, WebSocketMask.Random());
        WebSocketFrameWriter.WriteFrame(toServer, WebSocketOpcode.Continuation, true, "wörld"u8, WebSocketMask.Random());
        WebSocketFrameWriter.WriteClose(toServer, 1000, "done"u8, WebSocketMask.Random());
        var outcome = InspectorHarness.Run(toServer.WrittenSpan.ToArray(), WebSocketInspectorOptions.FromClient);
        Assert.Equal(WebSocketInspectStatus.Closed, outcome.Status);
        Assert.Contains("message Text 12 compressed=False", outcome.Events);
        Assert.EndsWith("close 1000 'done'", outcome.Events);
    }

    [Fact]
    public void Refuses_frames_the_rfc_forbids()
    {
        var writer = new ArrayBufferWriter<byte>();
        Assert.Throws<ArgumentOutOfRangeException>(() => WebSocketFrameWriter.WritePing(writer, new byte[126], WebSocketMask.None));
        Assert.Throws<ArgumentException>(() => WebSocketFrameWriter.WriteFrame(writer, WebSocketOpcode.Ping, false, [], WebSocketMask.None));
        Assert.Throws<ArgumentException>(() => WebSocketFrameWriter.WriteFrame(writer, WebSocketOpcode.Close, true, [], WebSocketMask.None, compressed: true));
        Assert.Throws<ArgumentOutOfRangeException>(() => WebSocketFrameWriter.WriteFrame(writer, (WebSocketOpcode)3, true, [], WebSocketMask.None));
        Assert.Throws<ArgumentOutOfRangeException>(() => WebSocketFrameWriter.WriteClose(writer, 1006, default, WebSocketMask.None));
        Assert.Throws<ArgumentOutOfRangeException>(() => WebSocketFrameWriter.WriteClose(writer, 999, default, WebSocketMask.None));
        Assert.Throws<ArgumentException>(() => WebSocketFrameWriter.WriteClose(writer, 1000, new byte[124], WebSocketMask.None));
        Assert.Throws<ArgumentException>(() => WebSocketFrameWriter.WriteClose(writer, 1000, [0xFF], WebSocketMask.None));
        Assert.Throws<ArgumentException>(() => WebSocketFrameWriter.WriteClose(writer, WebSocketCloseCodes.NoStatusReceived, "x"u8, WebSocketMask.None));
        Assert.Equal(0, writer.WrittenCount);
        WebSocketFrameWriter.WriteClose(writer, 1000, new byte[123], WebSocketMask.None);
        Assert.Equal(2 + 125, writer.WrittenCount);
    }
}
