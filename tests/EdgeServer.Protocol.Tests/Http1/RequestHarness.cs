using EdgeServer.Protocol.Http1;

namespace EdgeServer.Protocol.Tests.Http1;

/// <summary>
/// Parses a request every way it can arrive: whole, one byte per segment, cut in two at every point, and
/// as every growing prefix. All must agree, and no prefix may be Complete early or fail differently, so
/// segmentation bugs cannot hide behind a single happy-path feed.
/// </summary>
internal static class RequestHarness
{
    public static readonly HttpParserLimits Limits = HttpParserLimits.Default;

    public static RequestHead Complete(string raw, HttpParserLimits? limits = null)
    {
        var (status, head, consumed) = Run(raw, limits ?? Limits);
        Assert.True(status == ParseStatus.Complete, $"expected Complete, got {status} ({head.Error})");
        Assert.Equal(head.Length, consumed);
        return head;
    }

    public static void Error(string raw, HttpParseError expected, HttpParserLimits? limits = null)
    {
        var (status, head, consumed) = Run(raw, limits ?? Limits);
        Assert.Equal(expected, head.Error);
        Assert.Equal(ParseStatus.Error, status);
        Assert.Equal(0, consumed);
    }

    public static void Incomplete(string raw, HttpParserLimits? limits = null)
    {
        var (status, head, consumed) = Run(raw, limits ?? Limits);
        Assert.True(status == ParseStatus.Incomplete, $"expected Incomplete, got {status} ({head.Error})");
        Assert.Equal(0, consumed);
    }

    private static (ParseStatus, RequestHead, long) Run(string raw, HttpParserLimits limits)
    {
        var data = Sequences.Bytes(raw);
        var head = new RequestHead(limits);
        var status = Http1RequestParser.TryParse(Sequences.Single(data), head, limits, out var consumed);
        var expected = Snapshot(status, head, consumed);

        var other = new RequestHead(limits);
        Check(Sequences.OneBytePerSegment(data), "1-byte segments");
        for (var cut = 1; cut < data.Length; cut++) Check(Sequences.SplitAt(data, cut), $"split at {cut}");

        for (var n = 0; n < data.Length; n++)
        {
            var s = Http1RequestParser.TryParse(Sequences.Single(data[..n]), other, limits, out var c);
            if (status == ParseStatus.Complete && n >= consumed)
            {
                Assert.Equal(expected, Snapshot(s, other, c));
            }
            else if (s != ParseStatus.Incomplete)
            {
                Assert.True(status == ParseStatus.Error && s == ParseStatus.Error && other.Error == head.Error,
                    $"prefix of {n} bytes gave {s} ({other.Error}) but the whole input gives {status} ({head.Error})");
            }
            else
            {
                Assert.Equal(0, c);
            }
        }
        return (status, head, consumed);

        void Check(ReadOnlySequence<byte> sequence, string how)
        {
            var s = Http1RequestParser.TryParse(sequence, other, limits, out var c);
            var actual = Snapshot(s, other, c);
            Assert.True(expected == actual, $"{how}:\nexpected {expected}\nactual   {actual}");
        }
    }

    /// <summary>Everything the parser produced, as text, so two parses can be compared in one assert.</summary>
    public static string Snapshot(ParseStatus status, RequestHead h, long consumed)
    {
        if (status != ParseStatus.Complete) return $"{status} {h.Error} consumed={consumed}";
        var sb = new StringBuilder();
        sb.Append($"{status} consumed={consumed} len={h.Length} {h.Method}/{Str(h.MethodBytes)} {h.Form} target={Str(h.Target)} ");
        sb.Append($"path={Str(h.Path)} query={(h.HasQuery ? Str(h.Query) : "<none>")} authority={Str(h.Authority)} {h.Version} ");
        sb.Append($"host={h.HostIndex} cl={h.ContentLength} chunked={h.IsChunked} ka={h.KeepAlive} expect={h.ExpectContinue} ");
        sb.Append($"upg={h.ConnectionUpgrade}/{h.UpgradeIndex} raw={Str(h.Buffer.AsSpan(0, h.Length))}");
        for (var i = 0; i < h.HeaderCount; i++) sb.Append($" [{Str(h.Name(i))}={Str(h.Value(i))}|{h.Fields[i].Known}]");
        return sb.ToString();
    }

    public static string Str(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);
}
