using System.Buffers.Text;
using System.Net;

namespace EdgeServer.Observability;

/// <summary>
/// Formats one access log record as a JSON line into a caller-provided buffer, allocation-free.
/// Every field is always present, null when unknown, so each line has the same shape for ingestion.
/// </summary>
/// <remarks>
/// Field order: time, request_id, client_ip, method, path, route, status, bytes_in, bytes_out,
/// upstream, upstream_ms, total_ms, error, client_cert, waf_rule, waf_labels, rate_limit, api_key, ws_close (the close code of a relayed WebSocket). Times are RFC 3339 UTC with milliseconds; durations are
/// milliseconds with microsecond precision (e.g. 12.345).
/// </remarks>
internal static class AccessLogFormatter
{
    /// <summary>
    /// Longest part of a request field that is logged (path, request id, method, names and messages):
    /// the parser's own limits are about this size, and one hostile request must not evict many lines
    /// from the shared buffer. Longer values are cut at a UTF-8 character boundary.
    /// </summary>
    public const int MaxFieldBytes = 8192;

    // Keys, punctuation, the timestamp, an IPv6 address with scope, five numbers and two durations:
    // well under this. Only variable-length text is added on top.
    private const int FixedPartBound = 512;

    /// <summary>An upper bound of the formatted length of <paramref name="entry"/>, for sizing the buffer.</summary>
    public static int MaxLength(in AccessLogEntry entry) =>
        FixedPartBound + JsonStringEscaper.MaxExpansion * (
            Math.Min(entry.RequestId.Length, MaxFieldBytes)
            + Math.Min(entry.Method.Length, MaxFieldBytes)
            + Math.Min(entry.Path.Length, MaxFieldBytes)
            + Math.Min(entry.Route?.Length ?? 0, MaxFieldBytes)
            + Math.Min(entry.Upstream?.Length ?? 0, MaxFieldBytes)
            + Math.Min(entry.Error?.Length ?? 0, MaxFieldBytes)
            + Math.Min(entry.ClientCert?.Length ?? 0, MaxFieldBytes)
            + Math.Min(entry.WafRule?.Length ?? 0, MaxFieldBytes)
            + Math.Min(entry.WafLabels?.Length ?? 0, MaxFieldBytes)
            + Math.Min(entry.RateLimit?.Length ?? 0, MaxFieldBytes)
            + Math.Min(entry.ApiKey?.Length ?? 0, MaxFieldBytes));

    /// <summary>Writes the line including its final '\n'; <paramref name="destination"/> must hold <see cref="MaxLength"/> bytes.</summary>
    public static int Format(in AccessLogEntry entry, Span<byte> destination)
    {
        var line = new LineWriter(destination);
        line.Raw("{\"time\":\""u8);
        line.Timestamp(entry.Time.UtcDateTime);
        line.Raw("\",\"request_id\":"u8);
        line.String(entry.RequestId);
        line.Raw(",\"client_ip\":"u8);
        line.IpAddress(entry.ClientIp);
        line.Raw(",\"method\":"u8);
        line.String(entry.Method);
        line.Raw(",\"path\":"u8);
        line.String(entry.Path);
        line.Raw(",\"route\":"u8);
        line.String(entry.Route);
        line.Raw(",\"status\":"u8);
        line.Integer(entry.Status);
        line.Raw(",\"bytes_in\":"u8);
        line.Integer(entry.BytesIn);
        line.Raw(",\"bytes_out\":"u8);
        line.Integer(entry.BytesOut);
        line.Raw(",\"upstream\":"u8);
        line.String(entry.Upstream);
        line.Raw(",\"upstream_ms\":"u8);
        if (entry.UpstreamLatency is TimeSpan upstream)
        {
            line.Milliseconds(upstream);
        }
        else
        {
            line.Raw("null"u8);
        }
        line.Raw(",\"total_ms\":"u8);
        line.Milliseconds(entry.TotalLatency);
        line.Raw(",\"error\":"u8);
        line.String(entry.Error);
        line.Raw(",\"client_cert\":"u8);
        line.String(entry.ClientCert);
        line.Raw(",\"waf_rule\":"u8);
        line.String(entry.WafRule);
        line.Raw(",\"waf_labels\":"u8);
        line.String(entry.WafLabels);
        line.Raw(",\"rate_limit\":"u8);
        line.String(entry.RateLimit);
        line.Raw(",\"api_key\":"u8);
        line.String(entry.ApiKey);
        line.Raw(",\"ws_close\":"u8);
        if (entry.WebSocketClose is int close)
        {
            line.Integer(close);
        }
        else
        {
            line.Raw("null"u8);
        }
        line.Raw("}\n"u8);
        return line.Written;
    }

    /// <summary>Cuts at most <see cref="MaxFieldBytes"/>, backing off so no UTF-8 character is split.</summary>
    private static ReadOnlySpan<byte> Truncate(ReadOnlySpan<byte> value)
    {
        if (value.Length <= MaxFieldBytes)
        {
            return value;
        }
        int end = MaxFieldBytes;
        // Continuation bytes are 10xxxxxx; a character is at most 4 bytes long.
        for (int back = 0; back < 3 && (value[end] & 0xC0) == 0x80; back++)
        {
            end--;
        }
        return value[..end];
    }

    private ref struct LineWriter(Span<byte> destination)
    {
        private readonly Span<byte> _destination = destination;

        public int Written { get; private set; }

        public void Raw(ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(_destination[Written..]);
            Written += bytes.Length;
        }

        public void String(ReadOnlySpan<byte> value)
        {
            Raw("\""u8);
            Written += JsonStringEscaper.Escape(Truncate(value), _destination[Written..]);
            Raw("\""u8);
        }

        public void String(string? value)
        {
            if (value is null)
            {
                Raw("null"u8);
                return;
            }
            ReadOnlySpan<char> chars = value.Length <= MaxFieldBytes ? value : value.AsSpan(0, MaxFieldBytes);
            Raw("\""u8);
            Written += JsonStringEscaper.Escape(chars, _destination[Written..]);
            Raw("\""u8);
        }

        public void Integer(long value)
        {
            _ = Utf8Formatter.TryFormat(value, _destination[Written..], out int written);
            Written += written;
        }

        /// <summary>Milliseconds with three decimals (microseconds), from ticks: exact, no floating point.</summary>
        public void Milliseconds(TimeSpan duration)
        {
            long ticks = Math.Max(duration.Ticks, 0);
            Integer(ticks / TimeSpan.TicksPerMillisecond);
            Raw("."u8);
            long micros = ticks % TimeSpan.TicksPerMillisecond / TimeSpan.TicksPerMicrosecond;
            Digits((int)micros, 3);
        }

        /// <summary>yyyy-MM-ddTHH:mm:ss.fffZ</summary>
        public void Timestamp(DateTime utc)
        {
            Digits(utc.Year, 4);
            Raw("-"u8);
            Digits(utc.Month, 2);
            Raw("-"u8);
            Digits(utc.Day, 2);
            Raw("T"u8);
            Digits(utc.Hour, 2);
            Raw(":"u8);
            Digits(utc.Minute, 2);
            Raw(":"u8);
            Digits(utc.Second, 2);
            Raw("."u8);
            Digits(utc.Millisecond, 3);
            Raw("Z"u8);
        }

        public void IpAddress(IPAddress? address)
        {
            if (address is null)
            {
                Raw("null"u8);
                return;
            }
            Raw("\""u8);
            if (address.IsIPv4MappedToIPv6)
            {
                // Dual-mode sockets report IPv4 clients as ::ffff:a.b.c.d; operators grep for a.b.c.d.
                Span<byte> bytes = stackalloc byte[16];
                _ = address.TryWriteBytes(bytes, out _);
                for (int i = 12; i < 16; i++)
                {
                    if (i > 12)
                    {
                        Raw("."u8);
                    }
                    Integer(bytes[i]);
                }
            }
            else
            {
                // Address text is digits, hex, '.', ':' and a numeric scope id: nothing to escape.
                _ = address.TryFormat(_destination[Written..], out int written);
                Written += written;
            }
            Raw("\""u8);
        }

        private void Digits(int value, int count)
        {
            for (int i = count - 1; i >= 0; i--)
            {
                _destination[Written + i] = (byte)('0' + (value % 10));
                value /= 10;
            }
            Written += count;
        }
    }
}
