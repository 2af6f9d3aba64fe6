using System.Threading.Tasks.Sources;

namespace EdgeServer.Redis;

/// <summary>
/// One command awaiting its reply: the <see cref="IValueTaskSource{TResult}"/> behind the caller's
/// <see cref="ValueTask{TResult}"/>, reused through <see cref="PendingCallPool"/> so a call allocates
/// nothing. Two owners hold it: the caller (until it reads the result) and the connection's FIFO
/// queue (until the reply, late or not, has been read). It goes back to the pool only when both let
/// go, so a timed-out call's late reply still finds its call object in the queue and FIFO matching
/// never slips. The outcome is decided once (reply, timeout or connection loss race through one CAS).
/// </summary>
internal sealed class PendingCall : IValueTaskSource<RedisResult>
{
    // Scripts of a few hundred bytes of arguments are the norm; a call that once held a huge one gives it up.
    private const int MaxRetainedScriptArguments = 4096;

    private const int Free = 0, Waiting = 1, Decided = 2;

    private readonly PendingCallPool _pool;
    private ManualResetValueTaskSourceCore<RedisResult> _core;
    private int _state;
    private int _owners;
    private ScriptArgumentBuffer? _scriptArguments;

    public PendingCall(PendingCallPool pool)
    {
        _pool = pool;
        // The data path must not run on the connection's reply loop: a slow continuation would stall
        // every other caller's replies. Continuations go to the thread pool (no allocation for awaits
        // from async methods, whose state machine box is queued as it is).
        _core.RunContinuationsAsynchronously = true;
    }

    /// <summary>When the call times out (<see cref="TimeProvider"/> timestamp).</summary>
    public long Deadline { get; private set; }

    /// <summary>When the command was last written (for the stalled-connection check).</summary>
    public long WrittenAt { get; set; }

    /// <summary>The script of an EVALSHA call, so a NOSCRIPT reply can be answered by resending it as EVAL.</summary>
    public RedisScript? Script { get; private set; }

    /// <summary>The framed arguments after the SHA (numkeys, keys, args) of a script call, kept for that resend.</summary>
    public ScriptArgumentBuffer ScriptArguments => _scriptArguments ??= new ScriptArgumentBuffer();

    /// <summary>The number of bulk strings in <see cref="ScriptArguments"/>.</summary>
    public int ScriptArgumentCount { get; set; }

    /// <summary>After a resend as EVAL: a further NOSCRIPT is an ordinary error.</summary>
    public void ForgetScript() => Script = null;

    public bool IsDecided => Volatile.Read(ref _state) != Waiting;

    public short Version => _core.Version;

    /// <summary>Arms a call from the pool. <paramref name="withCaller"/> false: nobody awaits it (a reply to discard).</summary>
    public void Start(long deadline, RedisScript? script, bool withCaller)
    {
        Deadline = deadline;
        Script = script;
        ScriptArgumentCount = 0;
        _owners = withCaller ? 2 : 1;
        Volatile.Write(ref _state, Waiting);
    }

    /// <summary>Decides the outcome unless it is already decided; false if another outcome won.</summary>
    public bool TryComplete(in RedisResult result)
    {
        if (Interlocked.CompareExchange(ref _state, Decided, Waiting) != Waiting) return false;
        _core.SetResult(result);
        return true;
    }

    /// <summary>The queue's (or the caller's) share is done.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _owners) != 0) return;
        Volatile.Write(ref _state, Free);
        Script = null;
        if (_scriptArguments is { Capacity: > MaxRetainedScriptArguments }) _scriptArguments = null;
        _core.Reset();
        _pool.Return(this);
    }

    public RedisResult GetResult(short token)
    {
        var result = _core.GetResult(token);
        Release();
        return result;
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
