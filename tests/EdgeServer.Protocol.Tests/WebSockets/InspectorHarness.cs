using EdgeServer.Protocol.Tests.Http1;
using EdgeServer.Protocol.WebSockets;

namespace EdgeServer.Protocol.Tests.WebSockets;

/// <summary>
/// Plays a relay: bytes arrive in pieces, unconsumed bytes are offered again with the next piece (as a PipeReader
/// would), consumed bytes are "forwarded". Every test runs its stream whole, one byte per segment, one byte per
/// call, and cut in two at every point; all must agree on the events, the verdict and where it was decided.
/// </summary>
internal static class InspectorHarness
{
    public sealed record Outcome(WebSocketInspectStatus Status, WebSocketViolation Violation, long ViolationOffset,
        long Forwarded, bool PartlyForwarded, string Events);

    /// <summary>Runs every feeding mode, asserts they agree, and returns the agreed outcome.</summary>
    public static Outcome Run(byte[] stream, WebSocketInspectorOptions options, long refuseAt = -1)
    {
        var whole = Feed(stream, options, [stream.Length], refuseAt, oneSegmentPerByte: false);
        var segments = Feed(stream, options, [stream.Length], refuseAt, oneSegmentPerByte: true);
        AssertSame(whole, segments, "one byte per segment");
        var bytewise = Feed(stream, options, Enumerable.Repeat(1, stream.Length).ToArray(), refuseAt, oneSegmentPerByte: false);
        AssertSame(whole, bytewise, "one byte per call");
        for (var cut = 1; cut < stream.Length; cut++)
        {
            AssertSame(whole, Feed(stream, options, [cut, stream.Length - cut], refuseAt, oneSegmentPerByte: false), $"cut at {cut}");
        }
        return whole;
    }

    private static void AssertSame(Outcome expected, Outcome actual, string mode)
    {
        Assert.True(expected.Status == actual.Status, $"{mode}: status {actual.Status}, expected {expected.Status}");
        Assert.True(expected.Violation == actual.Violation, $"{mode}: violation {actual.Violation}, expected {expected.Violation}");
        Assert.True(expected.ViolationOffset == actual.ViolationOffset, $"{mode}: violation at {actual.ViolationOffset}, expected {expected.ViolationOffset}");
        Assert.True(expected.Events == actual.Events, $"{mode}: events\n{actual.Events}\nexpected\n{expected.Events}");
        if (actual.Status == WebSocketInspectStatus.Violation && !actual.PartlyForwarded)
        {
            // Header and control-frame rules stop exactly at the frame, however the bytes arrived.
            Assert.True(actual.Forwarded == actual.ViolationOffset, $"{mode}: forwarded {actual.Forwarded}, frame at {actual.ViolationOffset}");
        }
        else if (actual.Status != WebSocketInspectStatus.Violation)
        {
            Assert.True(expected.Forwarded == actual.Forwarded, $"{mode}: forwarded {actual.Forwarded}, expected {expected.Forwarded}");
        }
    }

    /// <summary>Feeds the stream in pieces of the given sizes, keeping unconsumed bytes for the next piece.</summary>
    public static Outcome Feed(byte[] stream, WebSocketInspectorOptions options, int[] pieces, long refuseAt, bool oneSegmentPerByte)
    {
        var inspector = new WebSocketFrameInspector(options);
        var events = new EventLog { RefuseAt = refuseAt };
        var pending = new List<byte>();
        long forwarded = 0;
        var offset = 0;
        var status = WebSocketInspectStatus.NeedMoreData;
        foreach (var size in pieces)
        {
            pending.AddRange(stream.AsSpan(offset, size).ToArray());
            offset += size;
            var buffer = pending.ToArray();
            var input = oneSegmentPerByte ? Sequences.OneBytePerSegment(buffer) : Sequences.Single(buffer);
            status = inspector.Inspect(input, ref events, out var consumed);
            Assert.InRange(consumed, 0, buffer.Length);
            forwarded += consumed;
            pending.RemoveRange(0, (int)consumed);
            if (status == WebSocketInspectStatus.Violation) break;
        }
        if (status != WebSocketInspectStatus.Violation && pending.Count > 0)
        {
            // A relay's next read offers the rest again (bytes after a close, or an unfinished frame).
            status = inspector.Inspect(Sequences.Single(pending.ToArray()), ref events, out var consumed);
            forwarded += consumed;
        }
        Assert.Equal(forwarded, inspector.Position);
        return new Outcome(status, inspector.Violation, inspector.Violation == WebSocketViolation.None ? -1 : inspector.ViolationOffset,
            forwarded, inspector.ViolatingFramePartlyForwarded, string.Join("\n", events.Lines));
    }
}
