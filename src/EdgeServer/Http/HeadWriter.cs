using System.Buffers.Text;
using System.IO.Pipelines;

namespace EdgeServer.Http;

/// <summary>
/// Sequential writes of a message head straight into a <see cref="PipeWriter"/>'s memory: no
/// intermediate buffer, one Advance per commit.
/// </summary>
internal ref struct HeadWriter
{
    private const int MinSegment = 4096;
    private readonly PipeWriter _writer;
    private Span<byte> _span;
    private int _buffered;

    public HeadWriter(PipeWriter writer)
    {
        _writer = writer;
        _span = writer.GetSpan(MinSegment);
        _buffered = 0;
    }

    /// <summary>Bytes written through this writer, committed or not.</summary>
    public long Written { get; private set; }

    public void Write(scoped ReadOnlySpan<byte> source)
    {
        if (source.Length <= _span.Length)
        {
            source.CopyTo(_span);
            _span = _span[source.Length..];
            _buffered += source.Length;
            Written += source.Length;
            return;
        }
        WriteSlow(source);
    }

    private void WriteSlow(scoped ReadOnlySpan<byte> source)
    {
        while (source.Length > 0)
        {
            if (_span.Length == 0)
            {
                Flip(Math.Min(source.Length, 64 * 1024));
            }
            var n = Math.Min(source.Length, _span.Length);
            source[..n].CopyTo(_span);
            _span = _span[n..];
            _buffered += n;
            Written += n;
            source = source[n..];
        }
    }

    public void Write(byte value)
    {
        if (_span.Length == 0) Flip(1);
        _span[0] = value;
        _span = _span[1..];
        _buffered++;
        Written++;
    }

    public void WriteNumber(long value)
    {
        if (_span.Length < 20) Flip(20);
        Utf8Formatter.TryFormat(value, _span, out var n);
        _span = _span[n..];
        _buffered += n;
        Written += n;
    }

    /// <summary>Writes "name: value\r\n".</summary>
    public void WriteHeader(scoped ReadOnlySpan<byte> name, scoped ReadOnlySpan<byte> value)
    {
        Write(name);
        Write(": "u8);
        Write(value);
        Write("\r\n"u8);
    }

    public void WriteCrLf() => Write("\r\n"u8);

    /// <summary>Hands the written bytes to the pipe (no flush).</summary>
    public void Commit()
    {
        if (_buffered > 0)
        {
            _writer.Advance(_buffered);
            _buffered = 0;
        }
        _span = default;
    }

    private void Flip(int sizeHint)
    {
        if (_buffered > 0) _writer.Advance(_buffered);
        _buffered = 0;
        _span = _writer.GetSpan(Math.Max(sizeHint, MinSegment));
    }
}
