using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using EdgeServer.Connections;
using EdgeServer.Protocol.Http1;
using EdgeServer.Upstream;

namespace EdgeServer.Forwarding;

/// <summary>
/// Streams the response body from the upstream to the client in the framing the upstream chose
/// (Content-Length, chunked relayed verbatim after validation, or until close), one read at a time
/// with an activity timeout reset on every read.
/// </summary>
internal static class ResponseBodyRelay
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<BodyResult> RelayAsync(ClientConnection connection, UpstreamConnection upstream, BodyFraming framing, long idleTimeoutMs)
    {
        var input = upstream.Input;
        var output = connection.Output;
        var remaining = upstream.Response.ContentLength;
        var decoder = default(ChunkedBodyDecoder);
        long total = 0;
        try
        {
            while (true)
            {
                connection.ArmUpstreamTimeout(input, idleTimeoutMs);
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
                    if (connection.UpstreamTimedOut) return new(BodyOutcome.SourceTimedOut, total);
                    continue;
                }

                var buffer = result.Buffer;
                ReadOnlySequence<byte> slice;
                bool done;
                switch (framing)
                {
                    case BodyFraming.Chunked:
                        var status = decoder.Process(buffer, long.MaxValue, out var consumed);
                        if (status == ChunkedStatus.Error)
                        {
                            input.AdvanceTo(buffer.Start, buffer.End);
                            return new(BodyOutcome.Malformed, total, decoder.Error);
                        }
                        slice = buffer.Slice(0, consumed);
                        done = status == ChunkedStatus.Done;
                        break;
                    case BodyFraming.ContentLength:
                        var take = Math.Min(remaining, buffer.Length);
                        slice = buffer.Slice(0, take);
                        remaining -= take;
                        done = remaining == 0;
                        break;
                    default: // close-delimited
                        slice = buffer;
                        done = false;
                        break;
                }

                foreach (var segment in slice)
                {
                    output.Write(segment.Span);
                }
                total += slice.Length;
                input.AdvanceTo(slice.End, done ? slice.End : buffer.End);

                if (framing == BodyFraming.CloseDelimited && result.IsCompleted)
                {
                    await output.FlushAsync();
                    return new(BodyOutcome.Done, total);
                }

                FlushResult flush;
                try
                {
                    flush = await output.FlushAsync();
                }
                catch (Exception)
                {
                    return new(BodyOutcome.DestinationGone, total);
                }
                if (flush.IsCompleted || flush.IsCanceled) return new(BodyOutcome.DestinationGone, total);
                if (done) return new(BodyOutcome.Done, total);
                if (result.IsCompleted) return new(BodyOutcome.SourceAborted, total);
            }
        }
        finally
        {
            connection.DisarmUpstreamTimeout();
        }
    }
}
