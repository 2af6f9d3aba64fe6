using System.Buffers.Text;

namespace EdgeServer.Http;

/// <summary>
/// "Date: ...\r\n" preformatted once a second (the heartbeat refreshes it), so responses the edge
/// writes itself copy bytes instead of formatting a date each time.
/// </summary>
internal static class DateHeader
{
    private static byte[] s_line = Format(DateTimeOffset.UtcNow);

    public static ReadOnlySpan<byte> Line => Volatile.Read(ref s_line);

    public static void Refresh(DateTimeOffset now) => Volatile.Write(ref s_line, Format(now));

    private static byte[] Format(DateTimeOffset now)
    {
        Span<byte> buffer = stackalloc byte[64];
        "Date: "u8.CopyTo(buffer);
        Utf8Formatter.TryFormat(now, buffer[6..], out var n, new StandardFormat('R'));
        "\r\n"u8.CopyTo(buffer[(6 + n)..]);
        return buffer[..(6 + n + 2)].ToArray();
    }
}
