using System.IO.Pipelines;
using EdgeServer.Http;
using EdgeServer.Policy.Waf;

namespace EdgeServer.Waf;

/// <summary>Writes a Block action's response: its status, custom headers and body, with the request id like the edge's own errors.</summary>
internal static class WafResponse
{
    public static long Write(PipeWriter output, BlockResponse response, ReadOnlySpan<byte> requestId, bool close, bool headOnly)
    {
        var w = new HeadWriter(output);
        StatusLines.Write(ref w, response.Status);
        w.Write(DateHeader.Line);
        w.Write("Server: edge\r\nCache-Control: no-store\r\n"u8);
        w.Write(response.HeaderLines);
        w.Write("Content-Length: "u8);
        w.WriteNumber(response.Body.Length);
        w.WriteCrLf();
        if (requestId.Length > 0) w.WriteHeader("X-Request-Id"u8, requestId);
        if (close) w.Write("Connection: close\r\n"u8);
        w.WriteCrLf();
        if (!headOnly) w.Write(response.Body);
        w.Commit();
        return w.Written;
    }
}
