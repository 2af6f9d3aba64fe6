using System.IO.Pipelines;

namespace EdgeServer.WebSockets;

/// <summary>
/// Wakes a relay pump parked on a read or a flush. A side the relay has already completed has nothing to wake, and on
/// a TLS listener its pipes are stream pipes that dispose, on completion, the token source these calls cancel: a
/// shutdown that closed every connection while a relay was finishing threw ObjectDisposedException out of Kestrel's
/// close callbacks (seen in CI).
/// </summary>
internal static class PipeWake
{
    public static void CancelRead(PipeReader reader)
    {
        try { reader.CancelPendingRead(); } catch (ObjectDisposedException) { }
    }

    public static void CancelFlush(PipeWriter writer)
    {
        try { writer.CancelPendingFlush(); } catch (ObjectDisposedException) { }
    }
}
