using EdgeServer.Config.Model;
using EdgeServer.Connections;
using EdgeServer.Policy.RateLimiting;

namespace EdgeServer.RateLimiting;

/// <summary>
/// The bytes a limit counts by, written into a caller's stack buffer: the limiter hashes them, so nothing is
/// allocated and keys of different kinds never meet (each limit has its own table).
/// </summary>
internal static class RequestKey
{
    /// <summary>Longer header values are cut: two clients differing only after this many bytes share a counter.</summary>
    public const int MaxKeyBytes = 256;

    public static int Write(RateLimitConfig limit, ClientConnection connection, byte[]? headerName, ReadOnlySpan<byte> routeName, Span<byte> key)
    {
        switch (limit.Key)
        {
            case RateLimitKeyKind.ClientIp:
                return RateLimitKeys.WriteClientIp(connection.ClientAddressBytes, key);
            case RateLimitKeyKind.IpPrefix:
                return RateLimitKeys.WritePrefix(connection.ClientAddressBytes, limit.PrefixV4, limit.PrefixV6, key);
            case RateLimitKeyKind.ClientCert:
                // Requests without a verified certificate share one counter (an empty key).
                return connection.Identity is { } identity ? Copy(identity.Sha256Utf8, key) : 0;
            case RateLimitKeyKind.ApiKey:
                return connection.ApiKey is { } apiKey ? Copy(apiKey.IdUtf8.Span, key) : 0;
            case RateLimitKeyKind.Header:
                var head = connection.Head;
                var index = head.IndexOf(headerName);
                return index < 0 ? 0 : Copy(head.Value(index), key);
            default:
                return Copy(routeName, key);
        }
    }

    private static int Copy(ReadOnlySpan<byte> value, Span<byte> key)
    {
        var n = Math.Min(value.Length, key.Length);
        value[..n].CopyTo(key);
        return n;
    }
}
