namespace EdgeServer.Protocol.Http1;

/// <summary>
/// Byte classes of RFC 9110/9112/3986 as vectorised <see cref="SearchValues{T}"/>, so every scan is one
/// IndexOfAny call instead of a per-byte loop.
/// </summary>
internal static class HttpChars
{
    public const byte CR = (byte)'\r';
    public const byte LF = (byte)'\n';
    public const byte SP = (byte)' ';
    public const byte HTAB = (byte)'\t';

    /// <summary>tchar (RFC 9110 §5.6.2): the bytes of methods, field names and coding names.</summary>
    public static readonly SearchValues<byte> Token = SearchValues.Create(
        "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    /// <summary>
    /// Bytes that end a field value or a reason phrase: every CTL except HTAB, and DEL. CR and LF are among
    /// them, so one scan finds both the line end and any forbidden byte; obs-text (0x80-0xFF) is allowed.
    /// </summary>
    public static readonly SearchValues<byte> FieldValueStop = SearchValues.Create(
        "\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\n\u000b\u000c\r\u000e\u000f\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f\u007f"u8);

    /// <summary>Bytes allowed in a request-target: visible ASCII except '#' (a fragment is never sent).</summary>
    public static readonly SearchValues<byte> Target = SearchValues.Create(
        "!\"$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~"u8);

    /// <summary>reg-name bytes (RFC 3986 §3.2.2: unreserved / sub-delims, plus '%' of pct-encoded).</summary>
    public static readonly SearchValues<byte> RegName = SearchValues.Create(
        "!$%&'()*+,-.0123456789;=ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz~"u8);

    /// <summary>OWS bytes (RFC 9110 §5.6.3).</summary>
    public static readonly SearchValues<byte> Whitespace = SearchValues.Create(" \t"u8);

    public static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    public static bool IsWhitespace(byte b) => b is SP or HTAB;

    public static bool IsHex(byte b) => (uint)(b - '0') <= 9 || (uint)((b | 0x20) - 'a') <= 5;

    /// <summary>Value of a hex digit already known to be one.</summary>
    public static int HexValue(byte b) => b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;

    /// <summary>The span without leading and trailing OWS.</summary>
    public static ReadOnlySpan<byte> TrimWhitespace(ReadOnlySpan<byte> s)
    {
        var start = s.IndexOfAnyExcept(Whitespace);
        if (start < 0) return default;
        var end = s.LastIndexOfAnyExcept(Whitespace);
        return s[start..(end + 1)];
    }
}
