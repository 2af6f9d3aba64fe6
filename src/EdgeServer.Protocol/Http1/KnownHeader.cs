namespace EdgeServer.Protocol.Http1;

/// <summary>
/// Header names the proxy acts on, identified once by the parser (case-insensitive byte compare) so
/// later stages switch on an enum instead of comparing names again.
/// </summary>
public enum KnownHeader : byte
{
    Other = 0,
    Host,
    ContentLength,
    TransferEncoding,
    Connection,
    KeepAlive,
    ProxyConnection,
    TE,
    Trailer,
    Upgrade,
    Expect,
    XForwardedFor,
    XForwardedProto,
    XForwardedHost,
    XRequestId,
    ContentType,
    Date,
    Server,
    SecWebSocketKey,
    SecWebSocketVersion,
    SecWebSocketAccept,
    SecWebSocketProtocol,
    SecWebSocketExtensions,
}
