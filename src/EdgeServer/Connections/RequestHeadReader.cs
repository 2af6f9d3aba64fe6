using System.IO.Pipelines;
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
/// <remarks>
/// The data path drives <see cref="Begin"/> and <see cref="Step"/> from its connection loop, awaiting
/// the pipe itself: a nested async method here would cost a state machine box per request.
/// </remarks>
internal static class RequestHeadReader
{
    /// <summary>Arms the keep-alive timeout; <paramref name="started"/> tracks whether the head's first byte arrived.</summary>
    public static void Begin(ClientConnection connection, RuntimeSnapshot snapshot, out bool started)
    {
        started = false;
        connection.ArmClientTimeout(snapshot.KeepAliveTimeoutMs);
    }

    /// <summary>
    /// Parses what one read returned. True: read again. False: <paramref name="outcome"/> is final, the
    /// timeout is disarmed and, on Ok, the head is consumed from the input.
    /// </summary>
    public static bool Step(ClientConnection connection, RuntimeSnapshot snapshot, in ReadResult result, ref bool started, out HeadReadOutcome outcome)
    {
        var input = connection.Input;
        var buffer = result.Buffer;
        outcome = HeadReadOutcome.Ok;
        if (result.IsCanceled)
        {
            // A cancel that is not our timeout (a stale StopBody, say): hand the bytes back untouched
            // and read again. A pipe must always be advanced before the next read.
            if (!connection.ClientTimedOut)
            {
                input.AdvanceTo(buffer.Start);
                if (connection.CloseRequested && !started && buffer.IsEmpty) return Done(connection, HeadReadOutcome.Closed, out outcome);
                return true;
            }
            input.AdvanceTo(buffer.Start, buffer.End);
            return Done(connection, started || !buffer.IsEmpty ? HeadReadOutcome.TimedOut : HeadReadOutcome.Closed, out outcome);
        }
        if (!started && !buffer.IsEmpty)
        {
            started = true;
            connection.ArmClientTimeout(snapshot.HeaderTimeoutMs);
        }

        var status = Http1RequestParser.TryParse(buffer, connection.Head, snapshot.RequestLimits, out var consumed);
        switch (status)
        {
            case ParseStatus.Complete:
                input.AdvanceTo(buffer.GetPosition(consumed));
                return Done(connection, HeadReadOutcome.Ok, out outcome);
            case ParseStatus.Error:
                input.AdvanceTo(buffer.End);
                return Done(connection, HeadReadOutcome.Invalid, out outcome);
        }
        input.AdvanceTo(buffer.Start, buffer.End);
        if (!result.IsCompleted) return true;
        return Done(connection, HeadReadOutcome.Closed, out outcome);
    }

    /// <summary>The whole read as one call, for the admin listener (where an allocation per request is fine).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<HeadReadOutcome> ReadAsync(ClientConnection connection, RuntimeSnapshot snapshot)
    {
        Begin(connection, snapshot, out var started);
        try
        {
            while (true)
            {
                var result = await connection.Input.ReadAsync();
                if (!Step(connection, snapshot, result, ref started, out var outcome)) return outcome;
            }
        }
        finally
        {
            connection.DisarmClientTimeout();
        }
    }

    private static bool Done(ClientConnection connection, HeadReadOutcome result, out HeadReadOutcome outcome)
    {
        connection.DisarmClientTimeout();
        outcome = result;
        return false;
    }
}
