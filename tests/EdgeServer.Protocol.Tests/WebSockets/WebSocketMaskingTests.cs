using EdgeServer.Protocol.WebSockets;

namespace EdgeServer.Protocol.Tests.WebSockets;

/// <summary>Masking in pieces equals masking whole, for every length around the vector widths and every key offset.</summary>
public class WebSocketMaskingTests
{
    [Fact]
    public void Pieces_mask_exactly_like_the_whole()
    {
        var random = new Random(5);
        var key = 0x37FA213Du;
        byte[] keyBytes = [0x37, 0xFA, 0x21, 0x3D];
        for (var length = 0; length <= 80; length++)
        {
            var payload = new byte[length];
            random.NextBytes(payload);
            var expected = payload.Select((b, i) => (byte)(b ^ keyBytes[i % 4])).ToArray();
            for (var cut = 0; cut <= length; cut++)
            {
                var output = new byte[length];
                var offset = WebSocketMasking.Apply(payload.AsSpan(0, cut), output, key, 0);
                Assert.Equal(cut % 4, offset);
                offset = WebSocketMasking.Apply(payload.AsSpan(cut), output.AsSpan(cut), key, offset);
                Assert.Equal(length % 4, offset);
                Assert.Equal(expected, output);
            }
            var inPlace = (byte[])payload.Clone();
            WebSocketMasking.Apply(inPlace, inPlace, key, 0);
            Assert.Equal(expected, inPlace);
        }
    }
}
