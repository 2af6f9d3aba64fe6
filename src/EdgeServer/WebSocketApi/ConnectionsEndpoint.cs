using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using EdgeServer.Connections;
using EdgeServer.Http;
using EdgeServer.Protocol.Http1;
using EdgeServer.Protocol.WebSockets;

namespace EdgeServer.WebSocketApi;

/// <summary>
/// The admin listener's /@connections/{id}, API Gateway's callback API: backends push a message to a client
/// (POST, the body is the message), read what is known about its connection (GET) and close it (DELETE). An id no
/// open connection has is 410 Gone, as API Gateway answers; the admin listener is loopback unless configured
/// otherwise, which is what keeps strangers away from it.
/// </summary>
internal sealed class ConnectionsEndpoint(WebSocketApiRegistry registry)
{
    private const int Post = 0, Get = 1, Delete = 2;

    public static ReadOnlySpan<byte> Prefix => "/@connections/"u8;

    public static bool Matches(ReadOnlySpan<byte> path) => path.StartsWith(Prefix);

    /// <summary>Answers one request (written and flushed); false when the admin connection must close.</summary>
    public async Task<bool> HandleAsync(ClientConnection connection)
    {
        var head = connection.Head;
        var output = connection.Output;
        var hasBody = head.BodyFraming != BodyFraming.None;
        var keepAlive = head.KeepAlive && !hasBody;
        var method = head.Method switch
        {
            KnownMethod.Post => Post,
            KnownMethod.Get or KnownMethod.Head => Get,
            KnownMethod.Delete => Delete,
            _ => -1,
        };
        var idBytes = head.Path[Prefix.Length..];
        if (method < 0 || !ConnectionIds.IsWellFormed(idBytes))
        {
            registry.Endpoint.Count(method < 0 ? Post : method, EndpointResult.BadRequest);
            var (status, reason) = method < 0 ? (405, "/@connections/{id} takes POST, GET or DELETE") : (400, "not a connection id");
            EdgeError.Write(output, status, reason, connection.RequestId, close: !keepAlive);
            await output.FlushAsync();
            return keepAlive;
        }
        var target = registry.Find(System.Text.Encoding.ASCII.GetString(idBytes));
        if (target is null || (method != Get && !target.IsOpen))
        {
            registry.Endpoint.Count(method, EndpointResult.Gone);
            EdgeError.Write(output, 410, "no open connection has this id", connection.RequestId, close: !keepAlive, headOnly: head.Method == KnownMethod.Head);
            await output.FlushAsync();
            return keepAlive;
        }
        switch (method)
        {
            case Get:
                registry.Endpoint.Count(Get, EndpointResult.Ok);
                WriteResponse(output, 200, Describe(target), keepAlive, headOnly: head.Method == KnownMethod.Head);
                break;
            case Delete:
                registry.Endpoint.Count(Delete, EndpointResult.Ok);
                target.RequestClose(WebSocketCloseCodes.NormalClosure, "closed by the backend");
                WriteResponse(output, 204, default, keepAlive, headOnly: true);
                break;
            default:
                return await PushAsync(connection, target);
        }
        await output.FlushAsync();
        return keepAlive;
    }

    private async Task<bool> PushAsync(ClientConnection connection, WebSocketApiConnection target)
    {
        var head = connection.Head;
        var output = connection.Output;
        if (head.IsChunked || head.ContentLength > target.Route.MaxMessageBytes)
        {
            var tooLarge = !head.IsChunked;
            registry.Endpoint.Count(Post, tooLarge ? EndpointResult.TooLarge : EndpointResult.BadRequest);
            EdgeError.Write(output, tooLarge ? 413 : 411,
                tooLarge ? $"a message to this connection is at most {target.Route.MaxMessageBytes} bytes" : "send the message with Content-Length", connection.RequestId, close: true);
            await output.FlushAsync();
            return false;
        }
        var length = (int)Math.Max(0, head.ContentLength);
        var keepAlive = head.KeepAlive;
        if (head.ExpectContinue && length > 0)
        {
            output.Write("HTTP/1.1 100 Continue\r\n\r\n"u8);
            await output.FlushAsync();
        }
        var body = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        try
        {
            if (!await ReadBodyAsync(connection.Input, body, length)) return false;
            var binary = MessageKind.IsBinary(null, body.AsSpan(0, length));
            var sent = await target.SendAsync(body.AsMemory(0, length), binary);
            if (sent == SendResult.Sent)
            {
                target.Route.Metrics.MessageOut(length, push: true);
                registry.Endpoint.Count(Post, EndpointResult.Ok);
                WriteResponse(output, 200, "{}"u8, keepAlive, headOnly: false);
            }
            else
            {
                registry.Endpoint.Count(Post, EndpointResult.Gone);
                EdgeError.Write(output, 410, "the connection closed before the message was sent", connection.RequestId, close: !keepAlive);
            }
            await output.FlushAsync();
            return keepAlive;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(body);
        }
    }

    private static async Task<bool> ReadBodyAsync(PipeReader input, byte[] body, int length)
    {
        var got = 0;
        while (got < length)
        {
            var read = await input.ReadAsync();
            var buffer = read.Buffer;
            var take = (int)Math.Min(buffer.Length, length - got);
            buffer.Slice(0, take).CopyTo(body.AsSpan(got));
            got += take;
            input.AdvanceTo(buffer.GetPosition(take), buffer.End);
            if (got < length && (read.IsCompleted || read.IsCanceled)) return false;
        }
        return true;
    }

    /// <summary>API Gateway's GetConnection shape (connectedAt, lastActiveAt, identity.sourceIp) plus the id, route and certificate subject.</summary>
    private static byte[] Describe(WebSocketApiConnection c)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("connectionId", c.Id);
            json.WriteString("route", c.Route.Name);
            json.WriteString("connectedAt", c.ConnectedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteString("lastActiveAt", c.LastActiveAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteStartObject("identity");
            json.WriteString("sourceIp", c.ClientIp);
            if (c.IdentitySubject is { } subject) json.WriteString("clientCertSubject", subject);
            else json.WriteNull("clientCertSubject");
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteResponse(PipeWriter output, int status, ReadOnlySpan<byte> body, bool keepAlive, bool headOnly)
    {
        var w = new HeadWriter(output);
        StatusLines.Write(ref w, status);
        w.Write(DateHeader.Line);
        w.Write("Server: edge\r\nCache-Control: no-store\r\n"u8);
        if (status != 204)
        {
            w.Write("Content-Type: application/json\r\nContent-Length: "u8);
            w.WriteNumber(body.Length);
            w.WriteCrLf();
        }
        if (!keepAlive) w.Write("Connection: close\r\n"u8);
        w.WriteCrLf();
        if (!headOnly) w.Write(body);
        w.Commit();
    }
}
