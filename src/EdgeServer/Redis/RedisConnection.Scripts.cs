namespace EdgeServer.Redis;

/// <summary>
/// Script calls: EVALSHA with the script's SHA-1, the arguments after it framed into the call's own
/// buffer first (then copied to the pipe), so that a NOSCRIPT reply can be answered by resending the
/// same call as EVAL with the full script, from the reply loop, long after the caller's spans are gone.
/// </summary>
internal sealed partial class RedisConnection
{
    public ValueTask<RedisResult> ExecuteScript<TArguments>(RedisScript script, int keyCount, scoped in TArguments keysAndArguments, long deadline, bool flush)
        where TArguments : IRespArguments, allows ref struct
    {
        lock (_gate)
        {
            if (!TryStartCall(deadline, script, out var call, out var refused)) return new ValueTask<RedisResult>(refused);
            var saved = call.ScriptArguments;
            saved.Clear();
            var framing = new RespWriter(saved);
            framing.WriteBulk(keyCount);
            keysAndArguments.WriteTo(ref framing);
            // Checked before anything reaches the pipe: a bad count only fails this call.
            CheckArgumentCount(framing.Written, keysAndArguments.Count + 1);
            call.ScriptArgumentCount = framing.Written;

            var writer = new RespWriter(_output);
            writer.WriteArrayHeader(2 + call.ScriptArgumentCount);
            writer.WriteBulk("EVALSHA"u8);
            writer.WriteBulk(script.Sha1);
            writer.WriteFramed(saved.Written, call.ScriptArgumentCount);
            return Enqueue(call, flush);
        }
    }

    private void ResendAsEval(PendingCall call)
    {
        lock (_gate)
        {
            if (_closing)
            {
                if (call.TryComplete(RedisResult.ConnectionLost)) _stats.LostWithConnection();
                call.Release();
                return;
            }
            if (_queue.Count >= _queue.Capacity)
            {
                // Its slot was freed a moment ago, but writers may have taken it since.
                _stats.RefusedOverloaded();
                call.TryComplete(RedisResult.Overloaded);
                call.Release();
                return;
            }
            var script = call.Script!;
            call.ForgetScript(); // EVAL never answers NOSCRIPT, but a second resend must be impossible
            var writer = new RespWriter(_output);
            writer.WriteArrayHeader(2 + call.ScriptArgumentCount);
            writer.WriteBulk("EVAL"u8);
            writer.WriteBulk(script.SourceBytes);
            writer.WriteFramed(call.ScriptArguments.Written, call.ScriptArgumentCount);
            call.WrittenAt = _time.GetTimestamp();
            // The call keeps its queue share; room was checked above, under this lock.
            QueueUnderLock(call);
            _stats.ScriptReloaded();
            _stats.CallWritten();
            FlushUnderLock();
        }
    }
}
