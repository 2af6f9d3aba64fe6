using EdgeServer.Protocol.Http1;

namespace EdgeServer.Protocol.Tests.Http1;

/// <summary>The response counterpart of <see cref="RequestHarness"/>: every segmentation and prefix must agree.</summary>
internal static class ResponseHarness
{
    public static readonly HttpParserLimits Limits = HttpParserLimits.Default;

    public static ResponseHead Complete(string raw, HttpParserLimits? limits = null)
    {
        var (status, head, consumed) = Run(raw, limits ?? Limits);
        Assert.True(status == ParseStatus.Complete, $"expected Complete, got {status} ({head.Error})");
        Assert.Equal(head.Length, consumed);
        return head;
    }

    public static void Error(string raw, HttpParseError expected, HttpParserLimits? limits = null)
    {
        var (status, head, _) = Run(raw, limits ?? Limits);
        Assert.Equal(expected, head.Error);
        Assert.Equal(ParseStatus.Error, status);
    }

    private static (ParseStatus, ResponseHead, long) Run(string raw, HttpParserLimits limits)
    {
        var data = Sequences.Bytes(raw);
        var head = new ResponseHead(limits);
        var status = Http1ResponseParser.TryParse(Sequences.Single(data), head, limits, out var consumed);
        var expected = Snapshot(status, head, consumed);

        var other = new ResponseHead(limits);
        Check(Sequences.OneBytePerSegment(data), "1-byte segments");
        for (var cut = 1; cut < data.Length; cut++) Check(Sequences.SplitAt(data, cut), $"split at {cut}");
        for (var n = 0; n < data.Length; n++)
        {
            var s = Http1ResponseParser.TryParse(Sequences.Single(data[..n]), other, limits, out var c);
            if (status == ParseStatus.Complete && n >= consumed) Assert.Equal(expected, Snapshot(s, other, c));
            else if (s != ParseStatus.Incomplete)
            {
                Assert.True(status == ParseStatus.Error && s == ParseStatus.Error && other.Error == head.Error,
                    $"prefix of {n} bytes gave {s} ({other.Error}) but the whole input gives {status} ({head.Error})");
            }
        }
        return (status, head, consumed);

        void Check(ReadOnlySequence<byte> sequence, string how)
        {
            var s = Http1ResponseParser.TryParse(sequence, other, limits, out var c);
            var actual = Snapshot(s, other, c);
            Assert.True(expected == actual, $"{how}:\nexpected {expected}\nactual   {actual}");
        }
    }

    private static string Snapshot(ParseStatus status, ResponseHead h, long consumed)
    {
        if (status != ParseStatus.Complete) return $"{status} {h.Error} consumed={consumed}";
        var sb = new StringBuilder();
        sb.Append($"{status} consumed={consumed} len={h.Length} {h.Version} {h.StatusCode} reason={RequestHarness.Str(h.Reason)} ");
        sb.Append($"cl={h.ContentLength} chunked={h.IsChunked} ka={h.KeepAlive} upg={h.ConnectionUpgrade} raw={RequestHarness.Str(h.Buffer.AsSpan(0, h.Length))}");
        for (var i = 0; i < h.HeaderCount; i++) sb.Append($" [{RequestHarness.Str(h.Name(i))}={RequestHarness.Str(h.Value(i))}|{h.Fields[i].Known}]");
        return sb.ToString();
    }
}
