using System.Runtime.InteropServices;
using EdgeServer.Config.Model;
using EdgeServer.Policy.ApiKeys;
using EdgeServer.Policy.RateLimiting;
using EdgeServer.Redis;
using Microsoft.Extensions.Logging;

namespace EdgeServer.RateLimiting.Global;

/// <summary>
/// The approximate mode's background loop. Every sync interval it drains what this node spent on each global key,
/// pushes it to Redis in one pipelined batch (the Charge script per key), and raises each local key to the fleet's
/// state that comes back, so the next local decisions count what the other nodes spent. Requests never wait for it.
/// </summary>
/// <remarks>
/// <para>
/// Error bound: a node learns the others' spending one round late, so across N nodes a key can be over-admitted by
/// what the other N−1 nodes admit for it in about one sync interval (plus one burst each for a key none of them has
/// seen yet). Spending a node could not push because Redis was unreachable stays pending and goes out when it is back;
/// spending in a call that timed out is dropped (it may have been applied: counting it twice would be the worse
/// error), so the fleet's state errs low by at most that round's spending.
/// </para>
/// <para>
/// Keys followed: every key spent on since the last round, and every key whose fleet bucket was not yet full at its
/// last sync (so a node that stopped seeing a key still learns that others keep spending on it). Each round sends at
/// most <see cref="MaxCallsPerRound"/> calls, keys with spending first; the rest wait for the next round.
/// </para>
/// </remarks>
internal sealed partial class GlobalLimitSync(RedisClient client, RedisConfig config, TimeProvider clock, GlobalLimitEngine engine, ILogger logger)
    : IAsyncDisposable
{
    /// <summary>Keeps a round within the client's pending-call cap with room for the data path's exact calls.</summary>
    internal const int MaxCallsPerRound = 8 * 1024;

    private static readonly bool[] PassOrder = [true, false];

    private readonly CancellationTokenSource _stop = new();
    private readonly List<Call> _calls = [];
    private readonly List<QuotaCall> _quotaCalls = [];
    private readonly byte[] _key = new byte[1024];
    private readonly long _staleTicks = (long)((3 * config.SyncInterval + config.Timeout).TotalSeconds * clock.TimestampFrequency);
    private Task _loop = Task.CompletedTask;
    private long _lastSuccess;
    private long _rounds;
    private long _failedRounds;
    private bool _failing;

    /// <summary>Rounds a quota key is still followed (its fleet total pulled) after its last request here.</summary>
    internal const int QuotaFollowRounds = 10;

    /// <summary>How long a quota counter outlives its window in Redis: late pushes from a slow node still land in it.</summary>
    private static readonly TimeSpan QuotaGrace = TimeSpan.FromDays(1);

    private readonly record struct Call(GlobalRateLimit Limit, ulong Identity, long Spent, ValueTask<RedisResult> Reply);

    private readonly record struct QuotaCall(GlobalQuota Quota, (ulong Key, long Window) Id, long Spent, ValueTask<RedisResult> Reply);

    /// <summary>
    /// Redis answered this node's last sync round recently and the connection is up: approximate global decisions
    /// are current. When false, fail-closed limits refuse.
    /// </summary>
    public bool Healthy => client.IsConnected && clock.GetTimestamp() - Volatile.Read(ref _lastSuccess) <= _staleTicks;

    public long Rounds => Volatile.Read(ref _rounds);

    public long FailedRounds => Volatile.Read(ref _failedRounds);

    public void Start()
    {
        Volatile.Write(ref _lastSuccess, clock.GetTimestamp());
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>One round now (tests drive rounds themselves rather than sleep through intervals).</summary>
    internal Task RunRoundAsync() => RoundAsync();

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(config.SyncInterval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                try
                {
                    await RoundAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogRoundFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RoundAsync()
    {
        var limits = engine.Limits;
        var quotas = engine.Quotas;
        foreach (var limit in limits) Drain(limit);
        foreach (var quota in quotas) Drain(quota);
        if (limits.Length == 0 && quotas.Length == 0)
        {
            Volatile.Write(ref _lastSuccess, clock.GetTimestamp());
            return;
        }
        if (!client.IsConnected)
        {
            // Nothing was sent, so nothing is lost: the spending stays pending for the round that finds Redis back.
            Finish(ok: false, client.Health.LastError ?? "not connected");
            return;
        }

        _calls.Clear();
        var round = Interlocked.Read(ref _rounds) + 1;
        var timeout = config.SyncInterval > config.Timeout ? config.SyncInterval : config.Timeout;
        var budget = MaxCallsPerRound;
        var now = clock.GetTimestamp();
        foreach (var spentFirst in PassOrder)
        {
            foreach (var limit in limits)
            {
                foreach (var (identity, tracked) in limit.Tracked)
                {
                    if (budget == 0) break;
                    // First pass: keys with spending to push. Second: keys only read, whose fleet bucket is not full.
                    if (spentFirst ? tracked.Pending == 0 : tracked.SentInRound == round || tracked.FullAt <= now) continue;
                    var length = limit.WriteRedisKey(identity, _key);
                    var reply = client.EvalAsync(GlobalLimitScripts.Charge, 1,
                        new GlobalKeyCall(_key.AsSpan(0, length), tracked.Pending, limit.IntervalMicros, limit.CapacityMicros), timeout, flush: false);
                    _calls.Add(new Call(limit, identity, tracked.Pending, reply));
                    ref var sent = ref CollectionsMarshal.GetValueRefOrNullRef(limit.Tracked, identity);
                    sent.Pending = 0;
                    sent.SentInRound = round;
                    budget--;
                }
            }
        }
        budget = IssueQuotaCalls(quotas, timeout, budget);
        client.Flush();

        var ok = true;
        string? failure = null;
        foreach (var call in _calls)
        {
            var result = await call.Reply.ConfigureAwait(false);
            ref var tracked = ref CollectionsMarshal.GetValueRefOrNullRef(call.Limit.Tracked, call.Identity);
            if (result.Kind == RedisResultKind.Integer)
            {
                var at = clock.GetTimestamp();
                var debt = call.Limit.MicrosToTicks(Math.Max(0, result.Integer));
                tracked.FullAt = at + debt;
                if (debt > 0) call.Limit.Limiter.Raise(RateLimitKey.FromIdentity(call.Identity), at + debt, at);
                call.Limit.CountSynced(1);
                continue;
            }
            ok = false;
            failure ??= result.ToString();
            call.Limit.CountSyncFailure();
            // Refused before it was written: put the spending back. Anything else may have reached Redis.
            if (result.Kind == RedisResultKind.NotConnected) tracked.Pending += call.Spent;
        }
        _calls.Clear();
        foreach (var call in _quotaCalls)
        {
            var result = await call.Reply.ConfigureAwait(false);
            ref var tracked = ref CollectionsMarshal.GetValueRefOrNullRef(call.Quota.Tracked, call.Id);
            if (result.Kind == RedisResultKind.Integer)
            {
                call.Quota.Counters.Raise(call.Id.Key, call.Id.Window, result.Integer);
                call.Quota.CountSynced();
                continue;
            }
            ok = false;
            failure ??= result.ToString();
            call.Quota.CountSyncFailure();
            if (result.Kind == RedisResultKind.NotConnected) tracked.Pending += call.Spent;
        }
        _quotaCalls.Clear();
        Forget(limits, clock.GetTimestamp());
        Forget(quotas);
        Finish(ok, failure);
    }

    private int IssueQuotaCalls(GlobalQuota[] quotas, TimeSpan timeout, int budget)
    {
        var now = clock.GetUtcNow();
        foreach (var quota in quotas)
        {
            var current = QuotaWindow.For(quota.Period, now);
            var ttl = (long)(current.Reset - now + QuotaGrace).TotalMilliseconds;
            foreach (var (id, tracked) in quota.Tracked)
            {
                if (budget == 0) return 0;
                // Past windows only take their last pushes; the fleet's total of the current one is pulled while the key is in use.
                if (tracked.Pending == 0 && (id.Window != current.Index || tracked.IdleRounds >= QuotaFollowRounds)) continue;
                var key = quota.RedisKey(tracked.Entry, id.Window, _key);
                var reply = client.EvalAsync(GlobalLimitScripts.CountQuota, 1, new GlobalKeyCall(key, tracked.Pending, ttl), timeout, flush: false);
                _quotaCalls.Add(new QuotaCall(quota, id, tracked.Pending, reply));
                CollectionsMarshal.GetValueRefOrNullRef(quota.Tracked, id).Pending = 0;
                budget--;
            }
        }
        return budget;
    }

    /// <summary>Moves the data path's logged spending into the tracked keys.</summary>
    private static void Drain(GlobalRateLimit limit)
    {
        var cap = limit.Limiter.Definition.MaxKeys;
        while (limit.Log.TryTake(out var spent))
        {
            ref var tracked = ref CollectionsMarshal.GetValueRefOrAddDefault(limit.Tracked, spent.Identity, out var existed);
            if (!existed && limit.Tracked.Count > cap)
            {
                limit.Tracked.Remove(spent.Identity);
                limit.CountUntracked();
                continue;
            }
            tracked.Pending += spent.Permits;
        }
    }

    private static void Drain(GlobalQuota quota)
    {
        while (quota.Log.TryTake(out var spent))
        {
            ref var tracked = ref CollectionsMarshal.GetValueRefOrAddDefault(quota.Tracked, (spent.Entry.Id.Value, spent.Window), out _);
            tracked.Entry = spent.Entry;
            tracked.Pending += spent.Count;
            tracked.IdleRounds = 0;
        }
    }

    private static void Forget(GlobalQuota[] quotas)
    {
        foreach (var quota in quotas)
        {
            foreach (var (id, tracked) in quota.Tracked)
            {
                if (tracked.Pending != 0) continue;
                ref var entry = ref CollectionsMarshal.GetValueRefOrNullRef(quota.Tracked, id);
                if (++entry.IdleRounds > QuotaFollowRounds) quota.Tracked.Remove(id);
            }
        }
    }

    /// <summary>Stops following keys with nothing to push whose fleet bucket is full again.</summary>
    private static void Forget(GlobalRateLimit[] limits, long now)
    {
        foreach (var limit in limits)
        {
            foreach (var (identity, tracked) in limit.Tracked)
            {
                if (tracked.Pending == 0 && tracked.FullAt <= now) limit.Tracked.Remove(identity);
            }
        }
    }

    private void Finish(bool ok, string? failure)
    {
        Interlocked.Increment(ref _rounds);
        if (ok)
        {
            Volatile.Write(ref _lastSuccess, clock.GetTimestamp());
            if (_failing) LogRecovered(logger);
            _failing = false;
            return;
        }
        Interlocked.Increment(ref _failedRounds);
        if (!_failing) LogFailing(logger, failure ?? "unknown", config.FailPolicy == RedisFailPolicy.Open
            ? "nodes decide alone (fail-open)" : "global limits refuse once the last good round is stale (fail-closed)");
        _failing = true;
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested) return;
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A global rate limit sync round failed")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Global rate limits cannot sync with Redis ({Reason}): {Consequence}")]
    private static partial void LogFailing(ILogger logger, string reason, string consequence);

    [LoggerMessage(Level = LogLevel.Information, Message = "Global rate limits sync with Redis again")]
    private static partial void LogRecovered(ILogger logger);
}
