namespace EdgeServer.Protocol.Http1;

/// <summary>Maps a field name to <see cref="KnownHeader"/> with one length switch and one case-insensitive byte compare.</summary>
internal static class KnownHeaders
{
    public static KnownHeader Identify(ReadOnlySpan<byte> name) => name.Length switch
    {
        2 => Is(name, "te"u8) ? KnownHeader.TE : KnownHeader.Other,
        4 => Is(name, "host"u8) ? KnownHeader.Host : Is(name, "date"u8) ? KnownHeader.Date : KnownHeader.Other,
        6 => Is(name, "expect"u8) ? KnownHeader.Expect : Is(name, "server"u8) ? KnownHeader.Server : KnownHeader.Other,
        7 => Is(name, "upgrade"u8) ? KnownHeader.Upgrade : Is(name, "trailer"u8) ? KnownHeader.Trailer : KnownHeader.Other,
        10 => Is(name, "connection"u8) ? KnownHeader.Connection : Is(name, "keep-alive"u8) ? KnownHeader.KeepAlive : KnownHeader.Other,
        12 => Is(name, "content-type"u8) ? KnownHeader.ContentType : Is(name, "x-request-id"u8) ? KnownHeader.XRequestId : KnownHeader.Other,
        14 => Is(name, "content-length"u8) ? KnownHeader.ContentLength : KnownHeader.Other,
        15 => Is(name, "x-forwarded-for"u8) ? KnownHeader.XForwardedFor : KnownHeader.Other,
        16 => Is(name, "proxy-connection"u8) ? KnownHeader.ProxyConnection : Is(name, "x-forwarded-host"u8) ? KnownHeader.XForwardedHost : KnownHeader.Other,
        17 => Is(name, "transfer-encoding"u8) ? KnownHeader.TransferEncoding
            : Is(name, "x-forwarded-proto"u8) ? KnownHeader.XForwardedProto
            : Is(name, "sec-websocket-key"u8) ? KnownHeader.SecWebSocketKey : KnownHeader.Other,
        20 => Is(name, "sec-websocket-accept"u8) ? KnownHeader.SecWebSocketAccept : KnownHeader.Other,
        21 => Is(name, "sec-websocket-version"u8) ? KnownHeader.SecWebSocketVersion : KnownHeader.Other,
        22 => Is(name, "sec-websocket-protocol"u8) ? KnownHeader.SecWebSocketProtocol : KnownHeader.Other,
        24 => Is(name, "sec-websocket-extensions"u8) ? KnownHeader.SecWebSocketExtensions : KnownHeader.Other,
        _ => KnownHeader.Other,
    };

    // The first byte decides most mismatches before the (vectorised) full compare runs.
    private static bool Is(ReadOnlySpan<byte> name, ReadOnlySpan<byte> lower) =>
        (name[0] | 0x20) == lower[0] && Ascii.EqualsIgnoreCase(name, lower);
}
