using System.Runtime.CompilerServices;
using EdgeServer.Protocol.Http1;
using EdgeServer.Runtime;

namespace EdgeServer.Connections;

internal enum HeadReadOutcome : byte
{
    Ok = 0,
    /// <summary>The client closed, or stayed idle between requests past the keep-alive timeout: close quietly.</summary>
    Closed,
    /// <summary>A head had started but did not complete within the header timeout (408, slowloris).</summary>
    TimedOut,
    /// <summary>The head broke a rule; the head's Error says which.</summary>
    Invalid,
}

/// <summary>
/// Reads one request head: idle between requests under the keep-alive timeout, then, from the first
/// byte, under the header timeout. Pipelined requests already buffered are parsed without waiting.
/// </summary>
internal static class RequestHeadReader
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<HeadReadOutcome> ReadAsync(ClientConnection connection, RuntimeSnapshot snapshot)
    {
        var input = connection.Input;
        var head = connection.Head;
        var limits = snapshot.RequestLimits;
        var started = false;
        connection.ArmClientTimeout(snapshot.KeepAliveTimeoutMs);
        try
        {
            while (true)
            {
                var result = await input.ReadAsync();
                var buffer = result.Buffer;
                if (result.IsCanceled)
                {
                    if (!connection.ClientTimedOut) continue;
                    input.AdvanceTo(buffer.Start, buffer.End);
                    return started || !buffer.IsEmpty ? HeadReadOutcome.TimedOut : HeadReadOutcome.Closed;
                }
                if (!started && !buffer.IsEmpty)
                {
                    started = true;
                    connection.ArmClientTimeout(snapshot.HeaderTimeoutMs);
                }

                var status = Http1RequestParser.TryParse(buffer, head, limits, out var consumed);
                switch (status)
                {
                    case ParseStatus.Complete:
                        input.AdvanceTo(buffer.GetPosition(consumed));
                        return HeadReadOutcome.Ok;
                    case ParseStatus.Error:
                        input.AdvanceTo(buffer.End);
                        return HeadReadOutcome.Invalid;
                }
                input.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted) return HeadReadOutcome.Closed;
            }
        }
        finally
        {
            connection.DisarmClientTimeout();
        }
    }
}
