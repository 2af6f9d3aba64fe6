using System.Net;
using System.Text;
using System.Text.Json;
using EdgeServer.Observability;

namespace EdgeServer.Tests.Observability;

internal static class AccessLogTestEntries
{
    public static readonly DateTimeOffset Time = new(2024, 5, 1, 12, 34, 56, 789, TimeSpan.FromHours(2));
    public static readonly IPAddress Client = IPAddress.Parse("203.0.113.9");

    /// <summary>A typical routed, forwarded request; <paramref name="sequence"/> goes into request_id.</summary>
    public static void WriteTypical(AccessLogSink sink, int sequence, IPAddress? client = null)
    {
        Span<byte> requestId = stackalloc byte[16];
        "req-"u8.CopyTo(requestId);
        _ = System.Buffers.Text.Utf8Formatter.TryFormat(sequence, requestId[4..], out int digits);
        sink.Write(new AccessLogEntry
        {
            Time = Time,
            RequestId = requestId[..(4 + digits)],
            ClientIp = client ?? Client,
            Method = "GET"u8,
            Path = "/api/v1/items?id=42"u8,
            Route = "api",
            Status = 200,
            BytesIn = 312,
            BytesOut = 4096,
            Upstream = "backend",
            UpstreamLatency = TimeSpan.FromTicks(12_345_6),
            TotalLatency = TimeSpan.FromTicks(13_000_0),
        });
    }

    public static int Format(in AccessLogEntry entry, out string line)
    {
        var buffer = new byte[AccessLogFormatter.MaxLength(entry)];
        int length = AccessLogFormatter.Format(entry, buffer);
        line = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer, 0, length);
        return length;
    }

    /// <summary>Parses one line strictly (System.Text.Json rejects invalid JSON and invalid UTF-8).</summary>
    public static JsonElement Parse(string line)
    {
        using JsonDocument document = JsonDocument.Parse(line);
        return document.RootElement.Clone();
    }

    public static string[] Lines(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
