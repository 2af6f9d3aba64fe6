using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;

namespace EdgeServer.WebSockets;

/// <summary>
/// The lingering close toward a WebSocket client. When the edge ends a connection with a close frame of its own (a
/// violation, a limit, an idle timeout, a drain), the client may still be sending: a socket closed with unread bytes
/// answers them with a TCP reset, and a reset that reaches the client before it has read our close frame destroys it
/// (the client sees a broken connection instead of 1009 or 1008). nginx and HAProxy linger for the same reason. So
/// the client's input is read and discarded until it ends (a client that has read our close frame closes its side),
/// for at most <see cref="TimeoutMs"/>: bounded in time, as nginx's lingering_time, not in bytes, since a bound in
/// bytes would bring the reset back for exactly the client sending a large message.
/// </summary>
internal static class LingeringClose
{
    public const int TimeoutMs = 1_000;

    public static async ValueTask DrainAsync(PipeReader clientInput)
    {
        using var timeout = new CancellationTokenSource(TimeoutMs);
        try
        {
            while (true)
            {
                var result = await clientInput.ReadAsync(timeout.Token).ConfigureAwait(false);
                clientInput.AdvanceTo(result.Buffer.End);
                // A canceled read is a wake-up someone left pending (the relay's Wake cancels the client's read): read on.
                if (result.IsCompleted) return;
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ConnectionResetException
                                       or ConnectionAbortedException or InvalidOperationException)
        {
            // Timed out, or the client is gone: either way there is nothing left to protect.
        }
    }
}
