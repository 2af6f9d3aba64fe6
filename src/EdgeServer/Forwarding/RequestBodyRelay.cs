using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using EdgeServer.Connections;
using EdgeServer.Protocol.Http1;
using EdgeServer.Upstream;

namespace EdgeServer.Forwarding;

/// <summary>
/// Streams a request body from the client to the upstream segment by segment, as it arrives: nothing
/// is buffered beyond what the pipes hold, so a 1 GiB upload passes with flat memory. Chunked bodies
/// are relayed verbatim after the decoder has validated every byte of framing. When the body fails
/// (malformed, too large, client gone or silent) the upstream connection is aborted at once, so the
/// upstream never waits for the rest and the response side stops waiting for the upstream.
/// </summary>
internal static class RequestBodyRelay
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<BodyResult> RelayAsync(ClientConnection connection, UpstreamConnection upstream, long maxBodyBytes, long idleTimeoutMs)
    {
        var result = await CopyAsync(connection, upstream.Output, maxBodyBytes, idleTimeoutMs);
        if (result.Outcome is BodyOutcome.Malformed or BodyOutcome.SourceAborted or BodyOutcome.SourceTimedOut) upstream.Abort();
        return result;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<BodyResult> CopyAsync(ClientConnection connection, PipeWriter upstream, long maxBodyBytes, long idleTimeoutMs)
    {
        var head = connection.Head;
        var input = connection.Input;
        var chunked = head.IsChunked;
        var remaining = head.ContentLength;
        var decoder = default(ChunkedBodyDecoder);
        long total = 0;
        while (true)
        {
            connection.ArmClientTimeout(idleTimeoutMs);
            ReadResult result;
            try
            {
                result = await input.ReadAsync();
            }
            catch (Exception)
            {
                return new(BodyOutcome.SourceAborted, total);
            }
            if (result.IsCanceled)
            {
                // A pipe must always be advanced before the next read, whoever reads next.
                input.AdvanceTo(result.Buffer.Start);
                if (connection.BodyStopRequested) return new(BodyOutcome.Stopped, total);
                if (connection.ClientTimedOut) return new(BodyOutcome.SourceTimedOut, total);
                continue;
            }

            var buffer = result.Buffer;
            ReadOnlySequence<byte> slice;
            bool done;
            if (chunked)
            {
                var status = decoder.Process(buffer, maxBodyBytes, out var consumed);
                if (status == ChunkedStatus.Error)
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                    connection.DisarmClientTimeout();
                    return new(BodyOutcome.Malformed, total, decoder.Error);
                }
                slice = buffer.Slice(0, consumed);
                done = status == ChunkedStatus.Done;
            }
            else
            {
                var take = Math.Min(remaining, buffer.Length);
                slice = buffer.Slice(0, take);
                remaining -= take;
                done = remaining == 0;
            }

            foreach (var segment in slice)
            {
                upstream.Write(segment.Span);
            }
            total += slice.Length;
            input.AdvanceTo(slice.End, done ? slice.End : buffer.End);

            FlushResult flush;
            try
            {
                flush = await upstream.FlushAsync();
            }
            catch (Exception)
            {
                connection.DisarmClientTimeout();
                return new(BodyOutcome.DestinationGone, total);
            }
            if (flush.IsCompleted || flush.IsCanceled)
            {
                connection.DisarmClientTimeout();
                return new(BodyOutcome.DestinationGone, total);
            }
            if (done)
            {
                connection.DisarmClientTimeout();
                return new(BodyOutcome.Done, total);
            }
            if (result.IsCompleted)
            {
                connection.DisarmClientTimeout();
                return new(BodyOutcome.SourceAborted, total);
            }
        }
    }
}
