using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using EdgeServer.Policy.RateLimiting;

namespace EdgeServer.Benchmarks.Policy;

/// <summary>
/// Local rate-limit decisions on one thread (issue 5): the bare GCRA cell, the keyed table on one hot key, on 64 Ki
/// keys (table in cache) and on 1 Mi keys (a 32 MiB table: one cache miss per decision), and the cost of reading the
/// system clock per decision. Every figure is per decision (1024 per invocation).
/// </summary>
/// <remarks>
/// The limit allows 10⁹ per second (T = 1 tick) and <c>now</c> moves one tick per decision, so every decision is
/// allowed and takes the compare-and-swap path: the expensive case, since a denial writes nothing. The proxy reads the
/// clock once per request and hands the timestamp to each of the request's limits, which is how these pass it too.
/// </remarks>
[MemoryDiagnoser, MinColumn, MedianColumn]
public class RateLimiterBenchmark
{
    private const int Batch = 1024;
    private const int KeyLength = 6;      // an IPv4 client key: family, length, 4 bytes

    private readonly byte[] _clientAddress = [198, 51, 100, 23];
    private readonly byte[] _prebuiltKey = [4, 32, 198, 51, 100, 23];
    private readonly byte[] _hashedKey = [4, 32, 198, 51, 100, 23];
    private GcraCell _cell = null!;
    private KeyedRateLimiter _table = null!;
    private KeyedRateLimiter _table64K = null!;
    private KeyedRateLimiter _table1M = null!;
    private byte[] _keys64K = [];
    private byte[] _keys1M = [];
    private RateLimitKey _clientKey;
    private long _now;
    private int _next;

    private static RateLimitDefinition Unlimited(int maxKeys) => new("bench", 1_000_000_000, TimeSpan.FromSeconds(1), 1000, maxKeys);

    [GlobalSetup]
    public void Setup()
    {
        var clock = TimeProvider.System;
        if (clock.TimestampFrequency != 1_000_000_000)
            throw new InvalidOperationException($"these cases assume a 1 GHz timestamp, not {clock.TimestampFrequency}");
        _now = clock.GetTimestamp();
        _cell = new GcraCell(new GcraRate(Unlimited(1), clock.TimestampFrequency), clock);
        _table = new KeyedRateLimiter(Unlimited(1024), clock);
        _clientKey = RateLimitKey.OfClientIp(_clientAddress);
        (_table64K, _keys64K) = Filled(1 << 16, clock);
        (_table1M, _keys1M) = Filled(1 << 20, clock);
    }

    /// <summary>A table with one key per IPv4 client address 10.x.y.z, every key already tracked.</summary>
    private (KeyedRateLimiter, byte[]) Filled(int keys, TimeProvider clock)
    {
        var table = new KeyedRateLimiter(Unlimited(keys), clock);
        byte[] all = new byte[keys * KeyLength];
        Span<byte> address = stackalloc byte[4];
        Span<byte> buffer = stackalloc byte[RateLimitKeys.MaxLength];
        for (int i = 0; i < keys; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(address, (10 << 24) | i);
            int length = RateLimitKeys.WriteClientIp(address, buffer);
            var key = all.AsSpan(i * KeyLength, KeyLength);
            buffer[..length].CopyTo(key);
            if (table.TryAcquire(key, 1, ++_now).Overflowed)
                throw new InvalidOperationException("setup: a key found no slot; the case would measure the overflow bucket");
        }

        return (table, all);
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "GcraCell: one key, CAS per decision")]
    public long Cell()
    {
        long allowed = 0;
        long now = _now;
        for (int i = 0; i < Batch; i++)
        {
            if (_cell.TryAcquire(1, ++now).Allowed)
                allowed++;
        }

        _now = now;
        return allowed;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Batch, Description = "table: one key (client IP key written + SipHash + CAS)")]
    public long OneKey()
    {
        long allowed = 0;
        long now = _now;
        Span<byte> key = stackalloc byte[RateLimitKeys.MaxLength];
        for (int i = 0; i < Batch; i++)
        {
            int length = RateLimitKeys.WriteClientIp(_clientAddress, key);
            if (_table.TryAcquire(key[..length], 1, ++now).Allowed)
                allowed++;
        }

        _now = now;
        return allowed;
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "table: one key, RateLimitKey computed once (per connection)")]
    public long OneKeyPrecomputed()
    {
        long allowed = 0;
        long now = _now;
        var key = _clientKey;
        for (int i = 0; i < Batch; i++)
        {
            if (_table.TryAcquire(key, 1, ++now).Allowed)
                allowed++;
        }

        _now = now;
        return allowed;
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "table: one key, key bytes prebuilt")]
    public long OneKeyPrebuilt()
    {
        long allowed = 0;
        long now = _now;
        ReadOnlySpan<byte> key = _prebuiltKey;
        for (int i = 0; i < Batch; i++)
        {
            if (_table.TryAcquire(key, 1, ++now).Allowed)
                allowed++;
        }

        _now = now;
        return allowed;
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "SipHash-1-3 of a 6-byte key alone")]
    public ulong HashOnly()
    {
        ulong sum = 0;
        Span<byte> key = _hashedKey;
        for (int i = 0; i < Batch; i++)
        {
            key[^1] = (byte)i;
            sum += RateLimitKey.Of(key).Identity;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "table: one key, system clock read per decision")]
    public long OneKeySystemClock()
    {
        long allowed = 0;
        Span<byte> key = stackalloc byte[RateLimitKeys.MaxLength];
        int length = RateLimitKeys.WriteClientIp(_clientAddress, key);
        for (int i = 0; i < Batch; i++)
        {
            if (_table.TryAcquire(key[..length]).Allowed)
                allowed++;
        }

        return allowed;
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "table: 64 Ki keys round robin (2 MiB table)")]
    public long ManyKeys64K() => RoundRobin(_table64K, _keys64K);

    [Benchmark(OperationsPerInvoke = Batch, Description = "table: 1 Mi keys round robin (32 MiB table)")]
    public long ManyKeys1M() => RoundRobin(_table1M, _keys1M);

    /// <summary>Each key hashed on every decision, as when no identity is cached: the pessimistic case.</summary>
    private long RoundRobin(KeyedRateLimiter table, byte[] keys)
    {
        long allowed = 0;
        long now = _now;
        int count = keys.Length / KeyLength;
        int next = _next;
        for (int i = 0; i < Batch; i++)
        {
            if (++next == count)
                next = 0;
            if (table.TryAcquire(keys.AsSpan(next * KeyLength, KeyLength), 1, ++now).Allowed)
                allowed++;
        }

        _next = next;
        _now = now;
        return allowed;
    }

    [Benchmark(Description = "new table for 1 Mi keys (memory per tracked key = Allocated / 2^20)")]
    public KeyedRateLimiter NewTable1M() => new(Unlimited(1 << 20), TimeProvider.System);
}
