using System.IO.Pipelines;
using EdgeServer.Connections;
using EdgeServer.Http;
using EdgeServer.Protocol.Http1;
using EdgeServer.Protocol.WebSockets;
using EdgeServer.WebSockets;

namespace EdgeServer.WebSocketApi;

/// <summary>
/// The edge's side of a WebSocket API handshake: what the $connect backend learns about the client (its handshake's
/// end-to-end fields, minus what the edge owns), the context every later call carries, and the 101 the edge writes
/// itself (no extension is negotiated, so messages arrive uncompressed).
/// </summary>
internal static class ApiHandshake
{
    /// <summary>Fields of the client's handshake not passed to $connect: hop-by-hop, the WebSocket handshake's own, and
    /// those the edge sets itself (a client must not pose as another connection or address).</summary>
    private static readonly string[] s_notForwarded =
    [
        "Host", "Connection", "Upgrade", "Keep-Alive", "TE", "Trailer", "Transfer-Encoding", "Content-Length", "Proxy-Connection",
        "Sec-WebSocket-Key", "Sec-WebSocket-Version", "Sec-WebSocket-Extensions", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Request-Id",
    ];

    /// <summary>The client's handshake fields for $connect (Authorization, Cookie, Origin, Sec-WebSocket-Protocol...) and the URI it asked for.</summary>
    public static List<KeyValuePair<string, string>> ConnectHeaders(ClientConnection connection)
    {
        var head = connection.Head;
        connection.IdentityHeaders.Mark(head.Buffer, head.MutableFields);
        var headers = new List<KeyValuePair<string, string>>(head.Fields.Length + 2);
        foreach (ref readonly var f in head.Fields)
        {
            if (f.Drop) continue;
            var name = Encoding.Latin1.GetString(head.Name(f));
            if (name.StartsWith("X-Edge-", StringComparison.OrdinalIgnoreCase) || Array.Exists(s_notForwarded, n => n.Equals(name, StringComparison.OrdinalIgnoreCase))) continue;
            headers.Add(new(name, Encoding.Latin1.GetString(head.Value(f))));
        }
        headers.Add(new("X-Edge-Original-Uri", Encoding.Latin1.GetString(head.PathAndQuery)));
        if (!head.Authority.IsEmpty) headers.Add(new("X-Forwarded-Host", Encoding.Latin1.GetString(head.Authority)));
        return headers;
    }

    /// <summary>What every call of this connection carries: client address and scheme, and the client certificate identity headers of the listener.</summary>
    public static KeyValuePair<string, string>[] ContextHeaders(ClientConnection connection)
    {
        var ip = Encoding.ASCII.GetString(connection.ClientIpUtf8);
        var headers = new List<KeyValuePair<string, string>>(4)
        {
            new("X-Forwarded-For", ip),
            new("X-Edge-Client-Ip", ip),
            new("X-Forwarded-Proto", connection.Tls is null ? "http" : "https"),
        };
        var identity = connection.Listener.Tls?.ClientCertificates;
        if (identity is not null && identity.Mode != Config.Model.ClientCertificateMode.None)
        {
            var names = identity.Headers;
            var id = connection.Identity;
            if (names.Verified is { } verified) headers.Add(new(verified, id is null ? "NONE" : "SUCCESS"));
            if (id is not null)
            {
                if (names.Subject is { } subject) headers.Add(new(subject, Encoding.Latin1.GetString(id.SubjectUtf8)));
                if (names.Issuer is { } issuer) headers.Add(new(issuer, Encoding.Latin1.GetString(id.IssuerUtf8)));
                if (names.Sans is { } sans && id.SansUtf8.Length > 0) headers.Add(new(sans, Encoding.Latin1.GetString(id.SansUtf8)));
                if (names.Serial is { } serial) headers.Add(new(serial, id.SerialNumber));
                if (names.Fingerprint is { } fingerprint) headers.Add(new(fingerprint, id.Sha256));
                if (names.Xfcc) headers.Add(new("X-Forwarded-Client-Cert", Encoding.Latin1.GetString(id.XfccUtf8)));
            }
        }
        return [.. headers];
    }

    /// <summary>Writes the 101 (not flushed): the accept value for the client's key, and the subprotocol $connect chose if the client offered it.</summary>
    public static long WriteSwitchingProtocols(PipeWriter output, RequestHead head, string? subprotocol)
    {
        Span<byte> accept = stackalloc byte[WebSocketAccept.AcceptLength];
        WebSocketAccept.Compute(head.Value(head.IndexOf(KnownHeader.SecWebSocketKey)), accept);
        var w = new HeadWriter(output);
        w.Write("HTTP/1.1 101 Switching Protocols\r\n"u8);
        w.Write(SwitchingProtocolsWriter.UpgradeFields);
        w.WriteHeader("Sec-WebSocket-Accept"u8, accept);
        if (subprotocol is not null && Offered(head, subprotocol)) w.WriteHeader("Sec-WebSocket-Protocol"u8, Encoding.ASCII.GetBytes(subprotocol));
        w.WriteCrLf();
        w.Commit();
        return w.Written;
    }

    private static bool Offered(RequestHead head, string subprotocol)
    {
        var wanted = Encoding.ASCII.GetBytes(subprotocol.Trim());
        foreach (ref readonly var f in head.Fields)
        {
            if (f.Known == KnownHeader.SecWebSocketProtocol && WebSocketHeaderTokens.Contains(head.Value(f), wanted)) return true;
        }
        return false;
    }
}
