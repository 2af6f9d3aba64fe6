using System.Buffers.Text;
using System.IO.Pipelines;
using EdgeServer.Http;

namespace EdgeServer.RateLimiting;

/// <summary>
/// The 429 a limit or quota answers with: Retry-After (RFC 9110) and the IETF RateLimit-Policy and RateLimit
/// fields (draft-ietf-httpapi-ratelimit-headers: <c>"name";q=quota;w=window</c> and <c>"name";r=remaining;t=reset</c>),
/// so clients can back off precisely, and a JSON body naming the limit. The policy item is encoded once when
/// the config is compiled; nothing here allocates.
/// </summary>
internal static class RateLimitResponse
{
    private const int MaxRequestIdBytes = 128;

    /// <param name="policy">The pre-encoded policy item, e.g. <c>"per-ip";q=100;w=1</c>.</param>
    /// <param name="name">The limit's or plan's name (a config name: letters, digits, '-', '_', '.').</param>
    /// <param name="reason">"rate limit exceeded" or "quota exhausted".</param>
    public static long Write(PipeWriter output, ReadOnlySpan<byte> policy, ReadOnlySpan<byte> name, ReadOnlySpan<byte> reason,
        long remaining, long resetSeconds, long retryAfterSeconds, ReadOnlySpan<byte> requestId, bool close, bool headOnly)
    {
        if (requestId.Length > MaxRequestIdBytes) requestId = requestId[..MaxRequestIdBytes];
        Span<byte> body = stackalloc byte[160 + 2 * 64 + MaxRequestIdBytes];
        var n = 0;
        Append(body, ref n, "{\"status\":429,\"error\":\""u8);
        Append(body, ref n, reason);
        Append(body, ref n, "\",\"limit\":\""u8);
        Append(body, ref n, name[..Math.Min(name.Length, 64)]);
        Append(body, ref n, "\",\"retry_after\":"u8);
        AppendNumber(body, ref n, retryAfterSeconds);
        Append(body, ref n, ",\"request_id\":\""u8);
        EdgeError.AppendJsonSafe(body, ref n, requestId);
        Append(body, ref n, "\"}\n"u8);

        // Policy items are names and small numbers: 256 bytes hold the three fields.
        Span<byte> headers = stackalloc byte[256 + policy.Length + name.Length];
        var h = 0;
        Append(headers, ref h, "Retry-After: "u8);
        AppendNumber(headers, ref h, retryAfterSeconds);
        Append(headers, ref h, "\r\nRateLimit-Policy: "u8);
        Append(headers, ref h, policy);
        Append(headers, ref h, "\r\nRateLimit: \""u8);
        Append(headers, ref h, name);
        Append(headers, ref h, "\";r="u8);
        AppendNumber(headers, ref h, remaining);
        Append(headers, ref h, ";t="u8);
        AppendNumber(headers, ref h, resetSeconds);
        Append(headers, ref h, "\r\n"u8);
        return EdgeError.WriteJson(output, 429, headers[..h], body[..n], requestId, close, headOnly);
    }

    /// <summary>
    /// The 503 of a fail-closed global limit whose Redis cannot answer: the client is not over any limit, the edge
    /// cannot tell, so it is not a 429; Retry-After 1 because Redis outages are usually short.
    /// </summary>
    public static long WriteUnavailable(PipeWriter output, ReadOnlySpan<byte> name, ReadOnlySpan<byte> requestId, bool close, bool headOnly)
    {
        if (requestId.Length > MaxRequestIdBytes) requestId = requestId[..MaxRequestIdBytes];
        Span<byte> body = stackalloc byte[160 + 64 + MaxRequestIdBytes];
        var n = 0;
        Append(body, ref n, "{\"status\":503,\"error\":\"global rate limit unavailable\",\"limit\":\""u8);
        Append(body, ref n, name[..Math.Min(name.Length, 64)]);
        Append(body, ref n, "\",\"retry_after\":1,\"request_id\":\""u8);
        EdgeError.AppendJsonSafe(body, ref n, requestId);
        Append(body, ref n, "\"}\n"u8);
        return EdgeError.WriteJson(output, 503, "Retry-After: 1\r\n"u8, body[..n], requestId, close, headOnly);
    }

    /// <summary>The policy item for RateLimit-Policy: the name as a quoted string, the quota and the window in seconds.</summary>
    public static byte[] EncodePolicy(string name, long quota, long windowSeconds) =>
        System.Text.Encoding.ASCII.GetBytes($"\"{name}\";q={quota};w={windowSeconds}");

    private static void Append(Span<byte> target, ref int at, ReadOnlySpan<byte> bytes) => EdgeError.Append(target, ref at, bytes);

    private static void AppendNumber(Span<byte> target, ref int at, long value)
    {
        Utf8Formatter.TryFormat(value, target[at..], out var digits);
        at += digits;
    }
}
