using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using EdgeServer.Connections;
using EdgeServer.Protocol.Http1;
using EdgeServer.Upstream;

namespace EdgeServer.Forwarding;

/// <summary>
/// Reads the upstream's response head under the response timeout, relaying 1xx interim responses
/// (100 Continue, 103 Early Hints) to HTTP/1.1 clients as they come.
/// </summary>
internal static class ResponseHeadReader
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<ResponseHeadOutcome> ReadAsync(ClientConnection connection, UpstreamConnection upstream, long timeoutMs)
    {
        var input = upstream.Input;
        var head = upstream.Response;
        var sawBytes = false;
        connection.ArmUpstreamTimeout(input, timeoutMs);
        try
        {
            while (true)
            {
                ReadResult result;
                try
                {
                    result = await input.ReadAsync();
                }
                catch (Exception)
                {
                    return ResponseHeadOutcome.Failed;
                }
                if (result.IsCanceled)
                {
                    if (connection.UpstreamTimedOut) return ResponseHeadOutcome.TimedOut;
                    continue;
                }
                var buffer = result.Buffer;
                sawBytes |= !buffer.IsEmpty;
                var status = Http1ResponseParser.TryParse(buffer, head, upstream.ResponseLimits, out var consumed);
                if (status == ParseStatus.Error)
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                    return ResponseHeadOutcome.Malformed;
                }
                if (status == ParseStatus.Incomplete)
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                    if (result.IsCompleted) return sawBytes ? ResponseHeadOutcome.Failed : ResponseHeadOutcome.ClosedBeforeResponse;
                    continue;
                }
                input.AdvanceTo(buffer.GetPosition(consumed));
                if (!head.IsInterim) return ResponseHeadOutcome.Ok;

                // Interim responses go to HTTP/1.1 clients only (RFC 9110 §15.2); a fresh timeout for the final one.
                if (connection.Head.Version == HttpVersion.Http11)
                {
                    ResponseHeadWriter.WriteInterim(connection.Output, head);
                    var flush = await connection.Output.FlushAsync();
                    if (flush.IsCompleted) return ResponseHeadOutcome.ClientGone;
                }
                connection.ArmUpstreamTimeout(input, timeoutMs);
            }
        }
        finally
        {
            connection.DisarmUpstreamTimeout();
        }
    }
}
