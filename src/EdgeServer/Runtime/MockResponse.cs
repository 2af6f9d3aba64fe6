using EdgeServer.Config.Model;
using EdgeServer.Http;
using System.IO.Pipelines;

namespace EdgeServer.Runtime;

/// <summary>A mock integration's response, encoded once at compile time; only Date and Connection are added per request.</summary>
internal sealed class MockResponse
{
    private readonly byte[] _statusLine;
    private readonly byte[] _headers;
    private readonly byte[] _body;

    public MockResponse(MockConfig config)
    {
        Status = config.Status;
        var reason = Encoding.ASCII.GetString(StatusLines.Reason(config.Status));
        _statusLine = Encoding.ASCII.GetBytes($"HTTP/1.1 {config.Status} {reason}\r\n");
        _body = Encoding.UTF8.GetBytes(config.Body);
        var headers = new StringBuilder("Server: edge\r\n");
        foreach (var (name, value) in config.Headers)
        {
            headers.Append(name).Append(": ").Append(value).Append("\r\n");
        }
        var bodyAllowed = config.Status is not (204 or 304) and >= 200;
        if (bodyAllowed) headers.Append("Content-Length: ").Append(_body.Length).Append("\r\n");
        else _body = [];
        _headers = Encoding.UTF8.GetBytes(headers.ToString());
    }

    public int Status { get; }

    public long Write(PipeWriter output, bool headOnly, bool close)
    {
        var w = new HeadWriter(output);
        w.Write(_statusLine);
        w.Write(DateHeader.Line);
        w.Write(_headers);
        if (close) w.Write("Connection: close\r\n"u8);
        w.WriteCrLf();
        if (!headOnly) w.Write(_body);
        w.Commit();
        return w.Written;
    }
}
