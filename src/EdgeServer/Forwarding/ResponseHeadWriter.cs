using System.IO.Pipelines;
using EdgeServer.Http;
using EdgeServer.Protocol.Http1;

namespace EdgeServer.Forwarding;

/// <summary>Writes the upstream's response head to the client: status and fields as received, minus hop-by-hop ones, with our Connection decision.</summary>
internal static class ResponseHeadWriter
{
    public static long Write(PipeWriter output, ResponseHead head, bool keepAlive, bool http10Client)
    {
        HopByHopHeaders.Mark(head.Buffer, head.MutableFields);
        var w = new HeadWriter(output);
        WriteStatusAndFields(ref w, head);
        if (!keepAlive) w.Write("Connection: close\r\n"u8);
        else if (http10Client) w.Write("Connection: keep-alive\r\n"u8);
        w.WriteCrLf();
        w.Commit();
        return w.Written;
    }

    public static void WriteInterim(PipeWriter output, ResponseHead head)
    {
        HopByHopHeaders.Mark(head.Buffer, head.MutableFields);
        var w = new HeadWriter(output);
        WriteStatusAndFields(ref w, head);
        w.WriteCrLf();
        w.Commit();
    }

    private static void WriteStatusAndFields(ref HeadWriter w, ResponseHead head)
    {
        w.Write("HTTP/1.1 "u8);
        w.WriteNumber(head.StatusCode);
        w.Write((byte)' ');
        w.Write(head.Reason);
        w.WriteCrLf();
        var buffer = head.Buffer;
        foreach (ref readonly var f in head.Fields)
        {
            if (f.Drop) continue;
            w.Write(buffer.AsSpan(f.NameStart, f.NameLength));
            w.Write(": "u8);
            w.Write(buffer.AsSpan(f.ValueStart, f.ValueLength));
            w.WriteCrLf();
        }
    }
}
