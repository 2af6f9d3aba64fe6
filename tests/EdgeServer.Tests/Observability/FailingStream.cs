namespace EdgeServer.Tests.Observability;

/// <summary>An output that fails every write, like a full disk.</summary>
internal sealed class FailingStream : Stream
{
    public override void Write(ReadOnlySpan<byte> buffer) => throw new IOException("No space left on device");
    public override void Write(byte[] buffer, int offset, int count) => throw new IOException("No space left on device");
    public override void Flush() { }
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
