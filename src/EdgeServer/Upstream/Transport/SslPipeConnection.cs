using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace EdgeServer.Upstream.Transport;

/// <summary>
/// An authenticated <see cref="SslStream"/> as two pipes over the same 32 KiB blocks as
/// <see cref="SocketPipeConnection"/>, with the same shape: one receive loop decrypts into
/// <see cref="Input"/>, one send loop encrypts what <see cref="Output"/> holds.
/// Not <c>PipeReader.Create(stream)</c>: a stream reader reads only while someone awaits it, so an idle
/// pooled connection would never notice the backend closing it and the pool's liveness check
/// (<c>Input.TryRead</c>) would pass dead connections. Here the receive loop always has a zero-byte read
/// pending, which also lets SslStream release its own buffer while the connection is idle.
/// </summary>
internal sealed class SslPipeConnection : IUpstreamTransport
{
    private readonly Socket _socket;
    private readonly SslStream _stream;
    private readonly Pipe _input = new(UpstreamPipeOptions.SharedInput);
    private readonly Pipe _output = new(UpstreamPipeOptions.SharedOutput);
    private readonly Task _receiving;
    private readonly Task _sending;
    private int _aborted;

    /// <param name="socket">The socket under <paramref name="stream"/>, closed directly on abort.</param>
    /// <param name="stream">Authenticated, owning the socket's NetworkStream.</param>
    public SslPipeConnection(Socket socket, SslStream stream)
    {
        _socket = socket;
        _stream = stream;
        _receiving = ReceiveLoopAsync();
        _sending = SendLoopAsync();
    }

    public PipeReader Input => _input.Reader;
    public PipeWriter Output => _output.Writer;

    /// <summary>
    /// Closes the socket, not the SslStream: disposing the stream under a pending read or write is not
    /// safe, while a closed socket fails both at once. No close_notify is sent; the pool only discards
    /// connections it will not reuse, and HTTP/1.1 framing never relies on it.
    /// </summary>
    public void Abort()
    {
        if (Interlocked.Exchange(ref _aborted, 1) != 0) return;
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already reset or closed by the peer: closing below is all that is left to do.
        }
        _socket.Dispose();
        _output.Reader.CancelPendingRead();
    }

    public async ValueTask DisposeAsync()
    {
        Abort();
        await _receiving.ConfigureAwait(false);
        await _sending.ConfigureAwait(false);
        _input.Reader.Complete();
        _output.Writer.Complete();
        await _stream.DisposeAsync().ConfigureAwait(false);
    }

    private async Task ReceiveLoopAsync()
    {
        Exception? error = null;
        var writer = _input.Writer;
        try
        {
            var drained = true;
            while (true)
            {
                // Zero-byte read while drained: completes at once when SslStream still holds decrypted or
                // undecrypted bytes, else waits for the socket holding no block of ours.
                if (drained) await _stream.ReadAsync(Memory<byte>.Empty).ConfigureAwait(false);
                var buffer = writer.GetMemory(BlockMemoryPool.BlockSize);
                var received = await _stream.ReadAsync(buffer).ConfigureAwait(false);
                if (received == 0) break; // close_notify or FIN
                writer.Advance(received);
                drained = received < buffer.Length;
                var flush = await writer.FlushAsync().ConfigureAwait(false);
                if (flush.IsCompleted || flush.IsCanceled) break;
            }
        }
        catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset })
        {
            error = new ConnectionResetException(e.Message, e);
        }
        catch (Exception e)
        {
            // IOException (including TLS alerts, such as a backend rejecting our certificate after a
            // TLS 1.3 handshake), ObjectDisposedException after an abort: the reader sees the failure.
            error = e is IOException ? e : new IOException(e.Message, e);
        }
        if (Volatile.Read(ref _aborted) != 0) error = new ConnectionAbortedException("upstream connection aborted by the proxy");
        await writer.CompleteAsync(error).ConfigureAwait(false);
    }

    private async Task SendLoopAsync()
    {
        Exception? error = null;
        var reader = _output.Reader;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync().ConfigureAwait(false);
                if (result.IsCanceled) break; // only Abort cancels
                // One write per block: SslStream frames each into records and sends them to the socket.
                foreach (var segment in result.Buffer)
                {
                    await _stream.WriteAsync(segment).ConfigureAwait(false);
                }
                reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted) break;
            }
        }
        catch (Exception e)
        {
            error = e;
        }
        await reader.CompleteAsync(error).ConfigureAwait(false);
        if (error is not null) Abort();
    }
}
