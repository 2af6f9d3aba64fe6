using System.IO.Pipelines;
using EdgeServer.Connections;
using EdgeServer.Http;
using EdgeServer.Protocol.Http1;

namespace EdgeServer.Forwarding;

/// <summary>
/// Writes the request head for the upstream straight into its PipeWriter: origin-form target, Host
/// first, the client's fields minus hop-by-hop ones, then the X-Forwarded-* set, X-Request-Id and the client identity headers.
/// </summary>
internal static class RequestHeadWriter
{
    public static long Write(PipeWriter output, ClientConnection connection, bool trustForwarded)
    {
        var head = connection.Head;
        var buffer = head.Buffer;
        var http10 = head.Version == HttpVersion.Http10;
        var w = new HeadWriter(output);

        w.Write(head.MethodBytes);
        w.Write((byte)' ');
        w.Write(head.PathAndQuery);
        // An HTTP/1.0 client cannot read chunked responses; asking the upstream in 1.0 keeps it from sending them.
        w.Write(http10 ? " HTTP/1.0\r\n"u8 : " HTTP/1.1\r\n"u8);

        var authority = head.Authority;
        if (!authority.IsEmpty) w.WriteHeader("Host"u8, authority);

        var forwardedForWritten = false;
        var fields = head.Fields;
        for (var i = 0; i < fields.Length; i++)
        {
            ref readonly var f = ref fields[i];
            if (f.Drop) continue;
            switch (f.Known)
            {
                case KnownHeader.Host:
                    continue;
                case KnownHeader.XForwardedFor:
                    if (trustForwarded && !forwardedForWritten)
                    {
                        // Merge every X-Forwarded-For line into one list, ours last.
                        w.Write("X-Forwarded-For: "u8);
                        for (var j = i; j < fields.Length; j++)
                        {
                            if (fields[j].Known != KnownHeader.XForwardedFor) continue;
                            w.Write(buffer.AsSpan(fields[j].ValueStart, fields[j].ValueLength));
                            w.Write(", "u8);
                        }
                        w.Write(connection.ClientIpUtf8);
                        w.WriteCrLf();
                        forwardedForWritten = true;
                    }
                    continue;
                case KnownHeader.XForwardedProto:
                case KnownHeader.XForwardedHost:
                case KnownHeader.XRequestId:
                    if (trustForwarded) break;
                    continue;
            }
            w.Write(buffer.AsSpan(f.NameStart, f.NameLength));
            w.Write(": "u8);
            w.Write(buffer.AsSpan(f.ValueStart, f.ValueLength));
            w.WriteCrLf();
        }

        if (!forwardedForWritten) w.WriteHeader("X-Forwarded-For"u8, connection.ClientIpUtf8);
        if (!trustForwarded || head.IndexOf(KnownHeader.XForwardedProto) < 0)
            w.Write(connection.Tls is null ? "X-Forwarded-Proto: http\r\n"u8 : "X-Forwarded-Proto: https\r\n"u8);
        if ((!trustForwarded || head.IndexOf(KnownHeader.XForwardedHost) < 0) && !authority.IsEmpty) w.WriteHeader("X-Forwarded-Host"u8, authority);
        if (!trustForwarded || head.IndexOf(KnownHeader.XRequestId) < 0) w.WriteHeader("X-Request-Id"u8, connection.RequestId);
        connection.IdentityHeaders.Write(ref w, connection.Identity);
        if (connection.ApiKey is { } apiKey && connection.ApiKeyForwardHeader is { } apiKeyHeader) w.WriteHeader(apiKeyHeader, apiKey.NameUtf8.Span);
        // A WebSocket handshake keeps its upgrade on this hop too (both fields are hop-by-hop, dropped above).
        if (connection.UpgradePolicy is not null) w.Write(EdgeServer.WebSockets.SwitchingProtocolsWriter.UpgradeFields);
        else if (http10) w.Write("Connection: keep-alive\r\n"u8);
        w.WriteCrLf();
        w.Commit();
        return w.Written;
    }
}
