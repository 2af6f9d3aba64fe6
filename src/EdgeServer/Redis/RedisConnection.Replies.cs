using System.IO.Pipelines;

namespace EdgeServer.Redis;

/// <summary>
/// The reply loop: parse every whole reply already buffered, hand each to the call at the head of the
/// queue, then one <c>AdvanceTo</c> per read. A call that already timed out still owns its queue slot,
/// so its late reply is stepped over without being materialised and the next reply meets the next call.
/// </summary>
internal sealed partial class RedisConnection
{
    private async Task ReadRepliesAsync()
    {
        var input = _transport.Input;
        string? failure = null;
        try
        {
            while (failure is null)
            {
                var read = await input.ReadAsync().ConfigureAwait(false);
                var buffer = read.Buffer;
                var consumed = HandleReplies(buffer, out failure);
                if (failure is null && buffer.Slice(consumed).Length > _maxBufferedReplyBytes)
                {
                    _stats.ProtocolError();
                    failure = $"a Redis reply exceeded {_maxBufferedReplyBytes} bytes";
                }
                input.AdvanceTo(consumed, buffer.End);
                if (read.IsCompleted) failure ??= "Redis closed the connection";
            }
        }
        catch (Exception e)
        {
            failure = e.Message;
        }
        await CloseAsync(failure).ConfigureAwait(false);
    }

    private SequencePosition HandleReplies(in ReadOnlySequence<byte> buffer, out string? failure)
    {
        failure = null;
        var reader = new SequenceReader<byte>(buffer);
        while (!reader.End)
        {
            var head = _queue.Peek();
            var attempt = reader;
            // A reply nobody awaits any more is stepped over without allocating.
            var status = RespReplyParser.TryRead(ref attempt, materialize: head is { IsDecided: false }, out var result);
            if (status == RespParseStatus.Incomplete) break;
            if (status == RespParseStatus.Invalid)
            {
                _stats.ProtocolError();
                failure = "Redis sent bytes that are not RESP";
                break;
            }
            reader = attempt;
            if (status == RespParseStatus.Push) continue;
            if (head is null)
            {
                _stats.ProtocolError();
                failure = "Redis sent a reply to no command";
                break;
            }
            _queue.Dequeue();
            OnReply(head, result);
        }
        return reader.Position;
    }

    private void OnReply(PendingCall call, in RedisResult result)
    {
        if (result.IsError)
        {
            _stats.ErrorReply();
            if (call.Script is not null && !call.IsDecided && result.Message!.StartsWith("NOSCRIPT", StringComparison.Ordinal))
            {
                // Redis restarted or its script cache was flushed: the call lives on as an EVAL.
                ResendAsEval(call);
                return;
            }
        }
        call.TryComplete(result); // false: it timed out meanwhile, and this late reply is dropped
        call.Release();
    }

    private async Task CloseAsync(string? failure)
    {
        string reason;
        lock (_gate)
        {
            _closing = true;
            _sweeper.Dispose();
            reason = _closeReason ??= failure ?? "connection closed";
            // The reply loop has ended, so this is now the queue's only consumer.
            while (_queue.Peek() is { } call)
            {
                _queue.Dequeue();
                if (call.TryComplete(RedisResult.ConnectionLost)) _stats.LostWithConnection();
                call.Release();
            }
        }
        await _transport.DisposeAsync().ConfigureAwait(false);
        _closed.TrySetResult(reason);
    }
}
