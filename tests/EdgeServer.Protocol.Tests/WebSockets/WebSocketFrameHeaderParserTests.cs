using EdgeServer.Protocol.Tests.Http1;
using EdgeServer.Protocol.WebSockets;
using static EdgeServer.Protocol.Tests.WebSockets.TestFrames;

namespace EdgeServer.Protocol.Tests.WebSockets;

/// <summary>Header encoding (RFC 6455 §5.2): every length form at its boundaries, every prefix, every segment split.</summary>
public class WebSocketFrameHeaderParserTests
{
    [Theory]
    [InlineData(0, 2)]
    [InlineData(125, 2)]
    [InlineData(126, 4)]
    [InlineData(65535, 4)]
    [InlineData(65536, 10)]
    public void Parses_each_length_form(int length, int unmaskedHeader)
    {
        foreach (var masked in new[] { false, true })
        {
            var frame = Frame(WebSocketOpcode.Binary, new byte[length], masked, fin: false, rsv: 5);
            var headerLength = unmaskedHeader + (masked ? 4 : 0);
            for (var prefix = 0; prefix < headerLength; prefix++)
            {
                Assert.Equal(WebSocketParseStatus.NeedMoreData, WebSocketFrameHeaderParser.TryParse(frame.AsSpan(0, prefix), out _, out _));
            }
            for (var cut = 0; cut <= headerLength; cut++)
            {
                var status = WebSocketFrameHeaderParser.TryParse(Sequences.SplitAt(frame, cut), out var header, out var violation);
                Assert.Equal(WebSocketParseStatus.Complete, status);
                Assert.Equal(WebSocketViolation.None, violation);
                Assert.Equal(new WebSocketFrameHeader(false, 5, WebSocketOpcode.Binary, masked, length, masked ? Key : 0, headerLength), header);
            }
        }
    }

    [Fact]
    public void Parses_the_largest_length()
    {
        byte[] frame = [0x82, 0x7F, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];
        Assert.Equal(WebSocketParseStatus.Complete, WebSocketFrameHeaderParser.TryParse(frame, out var header, out _));
        Assert.Equal(long.MaxValue, header.PayloadLength);
        Assert.Equal(10, header.HeaderLength);
        Assert.True(header.Fin);
    }

    [Theory]
    [InlineData(new byte[] { 0x82, 0x7E, 0x00, 0x7D }, WebSocketViolation.NonMinimalLength)]
    [InlineData(new byte[] { 0x82, 0x7E, 0x00, 0x00 }, WebSocketViolation.NonMinimalLength)]
    [InlineData(new byte[] { 0x82, 0x7F, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF }, WebSocketViolation.NonMinimalLength)]
    [InlineData(new byte[] { 0x82, 0x7F, 0, 0, 0, 0, 0, 0, 0, 0x7D }, WebSocketViolation.NonMinimalLength)]
    [InlineData(new byte[] { 0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 0 }, WebSocketViolation.LengthOverflow)]
    [InlineData(new byte[] { 0x82, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF }, WebSocketViolation.LengthOverflow)]
    public void Refuses_bad_length_encodings_before_the_key(byte[] frame, WebSocketViolation expected)
    {
        Assert.Equal(WebSocketParseStatus.Error, WebSocketFrameHeaderParser.TryParse(frame, out _, out var violation));
        Assert.Equal(expected, violation);
        Assert.Equal(WebSocketParseStatus.Error, WebSocketFrameHeaderParser.TryParse(Sequences.OneBytePerSegment(frame), out _, out violation));
        Assert.Equal(expected, violation);
    }
}
