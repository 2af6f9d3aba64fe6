using EdgeServer.Policy.RateLimiting;
using EdgeServer.Redis;

namespace EdgeServer.RateLimiting.Global;

/// <summary>
/// A request's exact-mode Redis calls between the gate that sent them and the connection loop that awaits them: one
/// per connection, reused by every request (the replies are pooled value tasks, so waiting allocates nothing).
/// </summary>
internal sealed class PendingGlobalDecisions
{
    private Entry[] _entries = new Entry[2];

    public int Count { get; private set; }

    /// <summary>What the request's local and approximate limits decided before the calls went out.</summary>
    public RateLimitVerdict Verdict;

    /// <summary>The clock reading the request's decisions were made at.</summary>
    public long Now { get; set; }

    private struct Entry
    {
        public CompiledRateLimit Limit;
        public RateLimitKey Key;
        public ValueTask<RedisResult> Reply;
        public RedisResult Result;
    }

    public void Add(CompiledRateLimit limit, RateLimitKey key, ValueTask<RedisResult> reply)
    {
        if (Count == _entries.Length) Array.Resize(ref _entries, Count * 2);
        _entries[Count++] = new Entry { Limit = limit, Key = key, Reply = reply };
    }

    public ValueTask<RedisResult> Reply(int index) => _entries[index].Reply;

    public void SetResult(int index, RedisResult result) => _entries[index].Result = result;

    public (CompiledRateLimit Limit, RateLimitKey Key, RedisResult Result) this[int index]
    {
        get
        {
            ref var entry = ref _entries[index];
            return (entry.Limit, entry.Key, entry.Result);
        }
    }

    public void Clear()
    {
        Array.Clear(_entries, 0, Count);
        Count = 0;
        Verdict = default;
    }
}
