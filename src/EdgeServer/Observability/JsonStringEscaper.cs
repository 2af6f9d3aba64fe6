using System.Buffers;
using System.Text;

namespace EdgeServer.Observability;

/// <summary>
/// Writes the inside of a JSON string (no quotes) from raw request bytes or a .NET string. The
/// output is always valid JSON and valid UTF-8, whatever the input.
/// </summary>
/// <remarks>
/// Valid UTF-8 passes through unchanged. Each byte of an invalid sequence is written as
/// <c>\u00XX</c> (XX = the byte). Valid text between U+0080 and U+00FF is never escaped, so such an
/// escape always means "this raw byte was not UTF-8": the original bytes stay recoverable, unlike
/// with U+FFFD replacement. Control characters and DEL are escaped, so a hostile path cannot break
/// the line or put terminal escape sequences into the log.
/// </remarks>
internal static class JsonStringEscaper
{
    /// <summary>Worst case growth: one input byte or char becomes at most six output bytes (\u00XX).</summary>
    public const int MaxExpansion = 6;

    // Printable ASCII other than the two characters JSON requires escaping.
    private static readonly SearchValues<byte> s_plainAscii = SearchValues.Create(CreatePlainAscii());

    /// <summary>Escapes raw bytes; returns the number of bytes written (at most <see cref="MaxExpansion"/> times the input).</summary>
    public static int Escape(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        int written = 0;
        while (!source.IsEmpty)
        {
            int run = source.IndexOfAnyExcept(s_plainAscii);
            if (run < 0)
            {
                run = source.Length;
            }
            source[..run].CopyTo(destination[written..]);
            written += run;
            source = source[run..];
            if (source.IsEmpty)
            {
                break;
            }

            byte first = source[0];
            if (first < 0x80)
            {
                written += EscapeAscii(first, destination[written..]);
                source = source[1..];
                continue;
            }
            if (Rune.DecodeFromUtf8(source, out _, out int consumed) == OperationStatus.Done)
            {
                source[..consumed].CopyTo(destination[written..]);
                written += consumed;
                source = source[consumed..];
            }
            else
            {
                written += WriteUnicodeEscape(first, destination[written..]);
                source = source[1..];
            }
        }
        return written;
    }

    /// <summary>Escapes a string; lone surrogates become U+FFFD. Returns the number of bytes written.</summary>
    public static int Escape(ReadOnlySpan<char> source, Span<byte> destination)
    {
        int written = 0;
        int i = 0;
        while (i < source.Length)
        {
            char c = source[i];
            if (c < 0x80)
            {
                written += s_plainAscii.Contains((byte)c)
                    ? WriteByte((byte)c, destination[written..])
                    : EscapeAscii((byte)c, destination[written..]);
                i++;
                continue;
            }
            // On invalid UTF-16 (a lone surrogate) this yields U+FFFD and consumes one char.
            _ = Rune.DecodeFromUtf16(source[i..], out Rune rune, out int consumed);
            written += rune.EncodeToUtf8(destination[written..]);
            i += consumed;
        }
        return written;
    }

    private static int WriteByte(byte value, Span<byte> destination)
    {
        destination[0] = value;
        return 1;
    }

    private static int EscapeAscii(byte value, Span<byte> destination)
    {
        byte shortForm = value switch
        {
            (byte)'"' => (byte)'"',
            (byte)'\\' => (byte)'\\',
            (byte)'\n' => (byte)'n',
            (byte)'\r' => (byte)'r',
            (byte)'\t' => (byte)'t',
            (byte)'\b' => (byte)'b',
            (byte)'\f' => (byte)'f',
            _ => 0,
        };
        if (shortForm == 0)
        {
            return WriteUnicodeEscape(value, destination);
        }
        destination[0] = (byte)'\\';
        destination[1] = shortForm;
        return 2;
    }

    private static int WriteUnicodeEscape(byte value, Span<byte> destination)
    {
        ReadOnlySpan<byte> hex = "0123456789abcdef"u8;
        destination[0] = (byte)'\\';
        destination[1] = (byte)'u';
        destination[2] = (byte)'0';
        destination[3] = (byte)'0';
        destination[4] = hex[value >> 4];
        destination[5] = hex[value & 0xF];
        return 6;
    }

    private static byte[] CreatePlainAscii()
    {
        var plain = new List<byte>();
        for (int b = 0x20; b < 0x7F; b++)
        {
            if (b != '"' && b != '\\')
            {
                plain.Add((byte)b);
            }
        }
        return [.. plain];
    }
}
