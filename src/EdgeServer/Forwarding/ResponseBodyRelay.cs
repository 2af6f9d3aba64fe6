using System.IO.Pipelines;
using EdgeServer.Connections;
using EdgeServer.Protocol.Http1;
using EdgeServer.Upstream;

namespace EdgeServer.Forwarding;

/// <summary>What the connection loop does after one <see cref="ResponseBodyRelay.Step"/>.</summary>
internal enum RelayStep : byte
{
    ReadAgain,
    /// <summary>Bytes were written to the client: flush, then <see cref="ResponseBodyRelay.AfterFlush"/> decides.</summary>
    Flush,
    /// <summary>A close-delimited body ended: flush what is left; the body is done whatever the flush says.</summary>
    FlushLast,
    /// <summary>The outcome is final.</summary>
    Done,
}

/// <summary>
/// Streams the response body from the upstream to the client in the framing the upstream chose
/// (Content-Length, chunked relayed verbatim after validation, or until close), one read at a time
/// with an activity timeout re-armed before every read. A mutable struct held by the connection loop,
/// which owns the awaits: per-request state without a per-request allocation.
/// </summary>
internal struct ResponseBodyRelay
{
    private readonly UpstreamConnection _upstream;
    private readonly BodyFraming _framing;
    private long _remaining;
    private ChunkedBodyDecoder _decoder;
    private long _total;
    private bool _done;
    private bool _sourceEnded;

    public ResponseBodyRelay(UpstreamConnection upstream, BodyFraming framing)
    {
        _upstream = upstream;
        _framing = framing;
        _remaining = upstream.Response.ContentLength;
    }

    public readonly BodyResult Result(BodyOutcome outcome) => new(outcome, _total);

    /// <summary>An activity timeout, re-armed before every read.</summary>
    public readonly void Arm(ClientConnection connection, long idleTimeoutMs) =>
        connection.ArmUpstreamTimeout(_upstream.Input, idleTimeoutMs);

    /// <summary>Relays what one read of the upstream returned into the client's output (not flushed).</summary>
    public RelayStep Step(ClientConnection connection, in ReadResult result, out BodyResult outcome)
    {
        outcome = default;
        if (result.IsCanceled)
        {
            // A pipe must always be advanced before the next read.
            _upstream.Input.AdvanceTo(result.Buffer.Start);
            if (!connection.UpstreamTimedOut) return RelayStep.ReadAgain;
            outcome = Result(BodyOutcome.SourceTimedOut);
            return RelayStep.Done;
        }

        var input = _upstream.Input;
        var buffer = result.Buffer;
        ReadOnlySequence<byte> slice;
        switch (_framing)
        {
            case BodyFraming.Chunked:
                var status = _decoder.Process(buffer, long.MaxValue, out var consumed);
                if (status == ChunkedStatus.Error)
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                    outcome = new(BodyOutcome.Malformed, _total, _decoder.Error);
                    return RelayStep.Done;
                }
                slice = buffer.Slice(0, consumed);
                _done = status == ChunkedStatus.Done;
                break;
            case BodyFraming.ContentLength:
                var take = Math.Min(_remaining, buffer.Length);
                slice = buffer.Slice(0, take);
                _remaining -= take;
                _done = _remaining == 0;
                break;
            default: // close-delimited
                slice = buffer;
                _done = false;
                break;
        }

        var output = connection.Output;
        foreach (var segment in slice)
        {
            output.Write(segment.Span);
        }
        _total += slice.Length;
        input.AdvanceTo(slice.End, _done ? slice.End : buffer.End);
        _sourceEnded = result.IsCompleted;
        return _framing == BodyFraming.CloseDelimited && _sourceEnded ? RelayStep.FlushLast : RelayStep.Flush;
    }

    /// <summary>True when the relay ended (<paramref name="outcome"/> says how); false: read again.</summary>
    public readonly bool AfterFlush(in FlushResult flush, out BodyResult outcome)
    {
        outcome = default;
        if (flush.IsCompleted || flush.IsCanceled) outcome = Result(BodyOutcome.DestinationGone);
        else if (_done) outcome = Result(BodyOutcome.Done);
        else if (_sourceEnded) outcome = Result(BodyOutcome.SourceAborted);
        else return false;
        return true;
    }
}
