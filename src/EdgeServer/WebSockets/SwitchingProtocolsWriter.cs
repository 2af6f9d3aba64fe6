using System.IO.Pipelines;
using EdgeServer.Forwarding;
using EdgeServer.Http;
using EdgeServer.Protocol.Http1;

namespace EdgeServer.WebSockets;

/// <summary>
/// Writes the backend's verified 101 to the client: its status and end-to-end fields (Sec-WebSocket-Accept,
/// -Protocol, -Extensions, cookies...) as received, with our own Connection: Upgrade and Upgrade: websocket in place
/// of the hop-by-hop fields.
/// </summary>
internal static class SwitchingProtocolsWriter
{
    public static long Write(PipeWriter output, ResponseHead response)
    {
        HopByHopHeaders.Mark(response.Buffer, response.MutableFields);
        var w = new HeadWriter(output);
        w.Write("HTTP/1.1 101 Switching Protocols\r\n"u8);
        var buffer = response.Buffer;
        foreach (ref readonly var f in response.Fields)
        {
            if (f.Drop) continue;
            w.Write(buffer.AsSpan(f.NameStart, f.NameLength));
            w.Write(": "u8);
            w.Write(buffer.AsSpan(f.ValueStart, f.ValueLength));
            w.WriteCrLf();
        }
        w.Write(UpgradeFields);
        w.WriteCrLf();
        w.Commit();
        return w.Written;
    }

    /// <summary>The hop-by-hop pair both handshake messages carry on each hop.</summary>
    public static ReadOnlySpan<byte> UpgradeFields => "Connection: Upgrade\r\nUpgrade: websocket\r\n"u8;
}
