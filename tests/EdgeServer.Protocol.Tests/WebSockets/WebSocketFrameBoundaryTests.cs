using EdgeServer.Protocol.WebSockets;
using static EdgeServer.Protocol.Tests.WebSockets.TestFrames;

namespace EdgeServer.Protocol.Tests.WebSockets;

/// <summary>
/// AtFrameBoundary: where a relay may insert a ping or close frame of its own. Between frames yes (also between a
/// fragmented message's frames), inside a data frame's payload no, and after a violation exactly when nothing of
/// the offending frame went out.
/// </summary>
public class WebSocketFrameBoundaryTests
{
    private static (WebSocketFrameInspector Inspector, long Consumed) Feed(byte[] bytes, WebSocketFrameInspector? start = null)
    {
        var inspector = start ?? new WebSocketFrameInspector(WebSocketInspectorOptions.FromClient);
        var events = new IgnoreWebSocketFrameEvents();
        inspector.Inspect(bytes.AsMemory(), ref events, out var consumed);
        return (inspector, consumed);
    }

    [Fact]
    public void Between_frames_and_between_fragments_the_relay_may_insert_a_frame()
    {
        Assert.True(new WebSocketFrameInspector(WebSocketInspectorOptions.FromClient).AtFrameBoundary);
        Assert.True(Feed(Text("whole", masked: true)).Inspector.AtFrameBoundary);
        Assert.True(Feed(Text("first part", masked: true, fin: false)).Inspector.AtFrameBoundary);
        // A header split across reads is held back whole: the receiver has still seen whole frames only.
        Assert.True(Feed(Text("x", masked: true)[..1]).Inspector.AtFrameBoundary);
    }

    [Fact]
    public void Inside_a_data_frame_payload_it_may_not()
    {
        var frame = Text("a longer payload", masked: true);
        var (inspector, consumed) = Feed(frame[..10]);
        Assert.Equal(10, consumed);
        Assert.False(inspector.AtFrameBoundary);
        var events = new IgnoreWebSocketFrameEvents();
        inspector.Inspect(frame.AsMemory(10), ref events, out _);
        Assert.True(inspector.AtFrameBoundary);
    }

    [Fact]
    public void After_a_violation_only_if_nothing_of_the_offending_frame_was_forwarded()
    {
        // Invalid UTF-8 seen within the read that holds the whole frame: nothing of it was consumed.
        var bad = Frame(WebSocketOpcode.Text, [(byte)'o', (byte)'k', 0xC3, 0x28], masked: true);
        var (whole, consumed) = Feed(Concat(Text("fine", masked: true), bad));
        Assert.Equal(WebSocketViolation.InvalidUtf8Text, whole.Violation);
        Assert.Equal(Text("fine", masked: true).Length, consumed);
        Assert.True(whole.AtFrameBoundary);

        // The same frame over two reads: its first bytes already went out, so a close frame cannot follow them.
        var (first, _) = Feed(bad[..8]);
        Assert.False(first.AtFrameBoundary);
        var (split, _) = Feed(bad[8..], first);
        Assert.Equal(WebSocketViolation.InvalidUtf8Text, split.Violation);
        Assert.True(split.ViolatingFramePartlyForwarded);
        Assert.False(split.AtFrameBoundary);
    }
}
