using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;

namespace EdgeServer.Tls;

/// <summary>
/// The connection's transport pipes as the Stream SslStream needs underneath it. Reads copy out of the
/// pipe's segments (SslStream reads whole records into its own buffer, so copies are few and large);
/// writes go straight to the transport writer and flush, as each SslStream write is a set of records.
/// </summary>
internal sealed class DuplexPipeStream(IDuplexPipe transport) : Stream
{
    private readonly PipeReader _input = transport.Input;
    private readonly PipeWriter _output = transport.Output;

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            ReadResult result;
            try
            {
                result = await _input.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (ConnectionResetException)
            {
                // A reset ends the stream as an end of stream does (SslStream still refuses one inside a record or a
                // handshake). Rethrown, SslStream wraps it and every async frame above rethrows it again: a client
                // that resets after its response (openssl s_time does) cost ~5 % of a resumed handshake's CPU.
                return 0;
            }
            var buffer = result.Buffer;
            if (!buffer.IsEmpty)
            {
                var n = (int)Math.Min(buffer.Length, destination.Length);
                buffer.Slice(0, n).CopyTo(destination.Span);
                _input.AdvanceTo(buffer.GetPosition(n));
                return n;
            }
            _input.AdvanceTo(buffer.End);
            if (result.IsCompleted) return 0;
            if (result.IsCanceled) throw new OperationCanceledException("the transport read was canceled");
        }
    }

    /// <remarks>
    /// The token is not passed on: by the time SslStream writes here it has encrypted the records and used up their
    /// sequence numbers, so a write cancelled now (a WebSocket relay's CancelPendingFlush on the decrypted output
    /// cancels exactly this call) would drop records the peer can never skip: every later record, close_notify
    /// included, fails its MAC there ("decryption failed or bad record mac"). A write stuck on a peer that does not
    /// read ends when the connection is aborted, which completes the transport.
    /// </remarks>
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
    {
        var result = await _output.WriteAsync(source, CancellationToken.None).ConfigureAwait(false);
        if (result.IsCanceled) throw new OperationCanceledException("the transport write was canceled");
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public override void Flush() { }

    // SslStream only uses the async members here; a synchronous call would block an I/O thread.
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
