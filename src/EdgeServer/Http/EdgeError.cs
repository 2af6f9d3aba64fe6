using System.Buffers.Text;
using System.IO.Pipelines;

namespace EdgeServer.Http;

/// <summary>
/// Responses the edge answers itself (parse errors, no route, upstream failures): small, typed JSON
/// carrying the request id, so a client's report can be matched to the access log.
/// </summary>
internal static class EdgeError
{
    private const int MaxReasonChars = 120;
    private const int MaxRequestIdBytes = 128;
    private const int MaxCodeBytes = 32;

    /// <summary>Writes the whole response (not flushed) and returns its size in bytes.</summary>
    public static long Write(PipeWriter output, int status, string reason, ReadOnlySpan<byte> requestId, bool close, bool headOnly = false) =>
        Write(output, status, reason, default, requestId, close, headOnly);

    /// <summary>
    /// The same with a machine-readable <paramref name="code"/> (snake_case ASCII, such as per_key_limit) as the body's
    /// "reason" next to the human "error", for refusals a client may act on differently; empty: no "reason".
    /// </summary>
    public static long Write(PipeWriter output, int status, string reason, ReadOnlySpan<byte> code, ReadOnlySpan<byte> requestId, bool close, bool headOnly)
    {
        if (requestId.Length > MaxRequestIdBytes) requestId = requestId[..MaxRequestIdBytes];
        Span<byte> body = stackalloc byte[64 + MaxReasonChars * 3 + MaxCodeBytes + MaxRequestIdBytes];
        if (code.Length > MaxCodeBytes) code = code[..MaxCodeBytes];
        var n = 0;
        Append(body, ref n, "{\"status\":"u8);
        Utf8Formatter.TryFormat(status, body[n..], out var digits);
        n += digits;
        Append(body, ref n, ",\"error\":\""u8);
        n += Encoding.UTF8.GetBytes(reason.AsSpan(0, Math.Min(reason.Length, MaxReasonChars)), body[n..]);
        if (!code.IsEmpty)
        {
            Append(body, ref n, "\",\"reason\":\""u8);
            AppendJsonSafe(body, ref n, code);
        }
        Append(body, ref n, "\",\"request_id\":\""u8);
        AppendJsonSafe(body, ref n, requestId);
        Append(body, ref n, "\"}\n"u8);

        return WriteJson(output, status, [], body[..n], requestId, close, headOnly);
    }

    /// <summary>
    /// The head every JSON answer of the edge shares, <paramref name="extraHeaders"/> (whole "Name: value\r\n"
    /// lines) after the common fields, then the body unless <paramref name="headOnly"/>. Returns the bytes written.
    /// </summary>
    internal static long WriteJson(PipeWriter output, int status, ReadOnlySpan<byte> extraHeaders, ReadOnlySpan<byte> body,
        ReadOnlySpan<byte> requestId, bool close, bool headOnly)
    {
        var w = new HeadWriter(output);
        StatusLines.Write(ref w, status);
        w.Write(DateHeader.Line);
        w.Write("Server: edge\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n"u8);
        w.Write(extraHeaders);
        w.Write("Content-Length: "u8);
        w.WriteNumber(body.Length);
        w.WriteCrLf();
        if (requestId.Length > 0) w.WriteHeader("X-Request-Id"u8, requestId);
        if (close) w.Write("Connection: close\r\n"u8);
        w.WriteCrLf();
        if (!headOnly) w.Write(body);
        w.Commit();
        return w.Written;
    }

    internal static void Append(Span<byte> target, ref int at, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(target[at..]);
        at += bytes.Length;
    }

    /// <summary>A request id the client sent (on a trusting listener) may hold '"' or '\': those bytes are dropped rather than break the JSON.</summary>
    internal static void AppendJsonSafe(Span<byte> target, ref int at, ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if (b is (byte)'"' or (byte)'\\' or < 0x20) continue;
            target[at++] = b;
        }
    }
}
