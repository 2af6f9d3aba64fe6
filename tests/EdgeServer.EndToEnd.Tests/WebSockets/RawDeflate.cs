using System.IO.Compression;

namespace EdgeServer.EndToEnd.Tests.WebSockets;

/// <summary>
/// permessage-deflate payloads by hand (RFC 7692 §7.2.1), for raw-socket tests that need to send a compressed frame
/// or read one the edge relayed: raw DEFLATE, sync-flushed, with the 00 00 FF FF tail removed, and the reverse.
/// </summary>
internal static class RawDeflate
{
    private static readonly byte[] Tail = [0x00, 0x00, 0xFF, 0xFF];

    public static byte[] Compress(byte[] message)
    {
        var output = new MemoryStream();
        var deflate = new DeflateStream(output, CompressionLevel.Optimal, leaveOpen: true);
        deflate.Write(message);
        deflate.Flush(); // a sync flush: the block ends on a byte boundary with an empty stored block (00 00 FF FF)
        var bytes = output.ToArray();
        Assert.True(bytes.AsSpan().EndsWith(Tail), "a sync flush should end with 00 00 FF FF");
        return bytes[..^Tail.Length];
    }

    public static byte[] Inflate(byte[] payload)
    {
        using var inflate = new DeflateStream(new MemoryStream([.. payload, .. Tail]), CompressionMode.Decompress);
        var output = new MemoryStream();
        var buffer = new byte[4096];
        int n;
        while ((n = inflate.Read(buffer)) > 0) output.Write(buffer, 0, n);
        return output.ToArray();
    }
}
