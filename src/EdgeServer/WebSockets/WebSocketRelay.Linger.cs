using System.IO.Pipelines;

namespace EdgeServer.WebSockets;

/// <summary>
/// The lingering close toward the client. When the edge ends a connection with a close frame of its own (a violation,
/// a limit, an idle timeout, a drain), the client may still be sending: a socket closed with unread bytes answers them
/// with a TCP reset, and a reset that reaches the client before it has read our close frame destroys it (the client
/// sees a broken connection instead of 1009 or 1008). nginx and HAProxy linger for the same reason. So the client's
/// input is read and discarded until it ends (a client that has read our close frame closes its side), for at most
/// <see cref="LingerMs"/> (bounded in time, as nginx's lingering_time, not in bytes: a bound in bytes would bring the
/// reset back for exactly the client sending a large message). A client whose close frame already came needs none.
/// </summary>
internal sealed partial class WebSocketRelay
{
    public const int LingerMs = 1_000;

    /// <summary>Reads and drops what the client still sends after the edge's own close frame; returns at once otherwise.</summary>
    public async ValueTask LingerAsync(PipeReader clientInput)
    {
        if (_closeToClient == 0 || _fromClient.IsClosed || Volatile.Read(ref _aborted) != 0) return;
        using var timeout = new CancellationTokenSource(LingerMs);
        try
        {
            while (true)
            {
                var result = await clientInput.ReadAsync(timeout.Token).ConfigureAwait(false);
                clientInput.AdvanceTo(result.Buffer.End);
                // A canceled read is the pumps' wake-up (Wake cancels the client's pending read), left over: read on.
                if (result.IsCompleted) return;
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or Microsoft.AspNetCore.Connections.ConnectionResetException
                                       or Microsoft.AspNetCore.Connections.ConnectionAbortedException or InvalidOperationException)
        {
            // Timed out, or the client is gone: either way there is nothing left to protect.
        }
    }
}
