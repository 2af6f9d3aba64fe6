using System.Buffers.Text;

namespace EdgeServer.Redis;

/// <summary>
/// Writes RESP request framing (<c>*N</c> array headers and <c>$len</c> bulk strings) straight into an
/// output buffer: the connection's pipe, or a call's own scratch buffer for script calls. Integers are
/// formatted in place; text is UTF-8-encoded in place. It counts the bulk strings it writes, so the
/// client can check a caller's <see cref="IRespArguments.Count"/> against what was actually written.
/// </summary>
internal ref struct RespWriter(IBufferWriter<byte> output)
{
    // "$" + up to 11 digits of a length + CRLF, or ":" + 20 digits of a long + CRLF.
    private const int MaxHeaderBytes = 24;

    private readonly IBufferWriter<byte> _output = output;

    /// <summary>Bulk strings written so far.</summary>
    public int Written { get; private set; }

    public readonly void WriteArrayHeader(int count) => WritePrefixed((byte)'*', count);

    public void WriteBulk(scoped ReadOnlySpan<byte> value)
    {
        WritePrefixed((byte)'$', value.Length);
        var span = _output.GetSpan(value.Length + 2);
        value.CopyTo(span);
        span[value.Length] = (byte)'\r';
        span[value.Length + 1] = (byte)'\n';
        _output.Advance(value.Length + 2);
        Written++;
    }

    public void WriteBulk(long value)
    {
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, digits, out var length);
        WriteBulk(digits[..length]);
    }

    public void WriteBulk(string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        WritePrefixed((byte)'$', length);
        var span = _output.GetSpan(length + 2);
        Encoding.UTF8.GetBytes(value, span);
        span[length] = (byte)'\r';
        span[length + 1] = (byte)'\n';
        _output.Advance(length + 2);
        Written++;
    }

    /// <summary>Copies bulk strings already framed elsewhere (a script call's saved arguments).</summary>
    public void WriteFramed(scoped ReadOnlySpan<byte> framed, int bulkCount)
    {
        var span = _output.GetSpan(framed.Length);
        framed.CopyTo(span);
        _output.Advance(framed.Length);
        Written += bulkCount;
    }

    private readonly void WritePrefixed(byte prefix, long number)
    {
        var span = _output.GetSpan(MaxHeaderBytes);
        span[0] = prefix;
        Utf8Formatter.TryFormat(number, span[1..], out var digits);
        span[1 + digits] = (byte)'\r';
        span[2 + digits] = (byte)'\n';
        _output.Advance(digits + 3);
    }
}
