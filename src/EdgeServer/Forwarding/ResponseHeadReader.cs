using System.IO.Pipelines;
using EdgeServer.Connections;
using EdgeServer.Protocol.Http1;
using EdgeServer.Upstream;

namespace EdgeServer.Forwarding;

/// <summary>What the connection loop does after one <see cref="ResponseHeadReader.Step"/>.</summary>
internal enum ResponseHeadStep : byte
{
    ReadAgain,
    /// <summary>An interim response was written to the client: flush it, re-arm, read again.</summary>
    FlushInterim,
    /// <summary>The outcome is final.</summary>
    Done,
}

/// <summary>
/// Reads the upstream's response head under the response timeout, relaying 1xx interim responses
/// (100 Continue, 103 Early Hints) to HTTP/1.1 clients as they come. Synchronous steps: the
/// connection loop owns the awaits (EdgeConnectionHandler.Loop.cs).
/// </summary>
internal static class ResponseHeadReader
{
    /// <summary>Starts the response timeout; again after each interim response, so the final one gets a fresh one.</summary>
    public static void Arm(ClientConnection connection, UpstreamConnection upstream, long timeoutMs) =>
        connection.ArmUpstreamTimeout(upstream.Input, timeoutMs);

    /// <summary>Parses what one read of the upstream returned; <paramref name="sawBytes"/> starts false for each request.</summary>
    public static ResponseHeadStep Step(ClientConnection connection, UpstreamConnection upstream, in ReadResult result, long timeoutMs, ref bool sawBytes, out ResponseHeadOutcome outcome)
    {
        var input = upstream.Input;
        var head = upstream.Response;
        outcome = ResponseHeadOutcome.Ok;
        if (result.IsCanceled)
        {
            // A pipe must always be advanced before the next read.
            input.AdvanceTo(result.Buffer.Start);
            if (!connection.UpstreamTimedOut) return ResponseHeadStep.ReadAgain;
            outcome = ResponseHeadOutcome.TimedOut;
            return ResponseHeadStep.Done;
        }
        var buffer = result.Buffer;
        sawBytes |= !buffer.IsEmpty;
        var status = Http1ResponseParser.TryParse(buffer, head, upstream.ResponseLimits, out var consumed);
        if (status == ParseStatus.Error)
        {
            input.AdvanceTo(buffer.Start, buffer.End);
            outcome = ResponseHeadOutcome.Malformed;
            return ResponseHeadStep.Done;
        }
        if (status == ParseStatus.Incomplete)
        {
            input.AdvanceTo(buffer.Start, buffer.End);
            if (!result.IsCompleted) return ResponseHeadStep.ReadAgain;
            outcome = sawBytes ? ResponseHeadOutcome.Failed : ResponseHeadOutcome.ClosedBeforeResponse;
            return ResponseHeadStep.Done;
        }
        input.AdvanceTo(buffer.GetPosition(consumed));
        if (!head.IsInterim) return ResponseHeadStep.Done;

        // Interim responses go to HTTP/1.1 clients only (RFC 9110 §15.2).
        if (connection.Head.Version != HttpVersion.Http11)
        {
            Arm(connection, upstream, timeoutMs);
            return ResponseHeadStep.ReadAgain;
        }
        ResponseHeadWriter.WriteInterim(connection.Output, head);
        return ResponseHeadStep.FlushInterim;
    }
}
