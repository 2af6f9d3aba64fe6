namespace EdgeServer.Tests.Observability;

/// <summary>An output whose writes wait until the test opens the gate: a log writer that has fallen behind.</summary>
internal sealed class GatedStream : Stream
{
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly MemoryStream _written = new();
    private readonly Lock _lock = new();

    public void Open() => _gate.TrySetResult();

    public string Text()
    {
        lock (_lock)
        {
            return System.Text.Encoding.UTF8.GetString(_written.ToArray());
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _gate.Task.ConfigureAwait(false);
        lock (_lock)
        {
            _written.Write(buffer.Span);
        }
    }

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Flush() { }
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _written.Dispose();
        }
        base.Dispose(disposing);
    }
}
