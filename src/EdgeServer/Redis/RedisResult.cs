using System.Globalization;
using System.Runtime.CompilerServices;

namespace EdgeServer.Redis;

/// <summary>
/// A reply or a client-side outcome, as a value. Integers and arrays of up to
/// <see cref="InlineIntegers"/> integers (what the rate-limit scripts return) are held inline, so those
/// replies allocate nothing; strings, errors and larger or nested arrays carry one heap payload.
/// </summary>
internal readonly struct RedisResult
{
    /// <summary>Integer arrays up to this length are stored without allocation (a limiter script's verdict is 2-4 numbers).</summary>
    public const int InlineIntegers = 4;

    private readonly object? _payload; // byte[] (strings), string (error or failure text), RedisResult[] (arrays)
    private readonly long _integer;
    private readonly IntegerBuffer _inline;
    private readonly int _count;

    private RedisResult(RedisResultKind kind, long integer = 0, object? payload = null, int count = 0, IntegerBuffer inline = default)
    {
        Kind = kind;
        _integer = integer;
        _payload = payload;
        _count = count;
        _inline = inline;
    }

    public RedisResultKind Kind { get; }

    public static RedisResult Null { get; } = new(RedisResultKind.Null);
    public static RedisResult TimedOut { get; } = new(RedisResultKind.Timeout, payload: "timed out waiting for Redis");
    public static RedisResult NotConnected { get; } = new(RedisResultKind.NotConnected, payload: "not connected to Redis");
    public static RedisResult ConnectionLost { get; } = new(RedisResultKind.ConnectionLost, payload: "connection to Redis lost before the reply");
    public static RedisResult Overloaded { get; } = new(RedisResultKind.Overloaded, payload: "too many calls awaiting Redis replies");

    public static RedisResult FromInteger(long value) => new(RedisResultKind.Integer, value);
    public static RedisResult FromSimpleString(byte[] text) => new(RedisResultKind.SimpleString, payload: text);
    public static RedisResult FromBulkString(byte[] value) => new(RedisResultKind.BulkString, payload: value);
    public static RedisResult FromError(string message) => new(RedisResultKind.Error, payload: message);
    public static RedisResult FromArray(RedisResult[] items) => new(RedisResultKind.Array, payload: items, count: items.Length);

    /// <summary>An array of integers held inline; <paramref name="values"/> has at most <see cref="InlineIntegers"/> items.</summary>
    public static RedisResult FromIntegers(scoped ReadOnlySpan<long> values)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(values.Length, InlineIntegers);
        var inline = default(IntegerBuffer);
        values.CopyTo(inline);
        return new(RedisResultKind.Array, count: values.Length, inline: inline);
    }

    /// <summary>Redis answered with something other than an error (any of the reply kinds).</summary>
    public bool IsReply => Kind <= RedisResultKind.Error;

    /// <summary>The command ran and did not fail: a reply that is not an error.</summary>
    public bool IsSuccess => Kind < RedisResultKind.Error;

    public bool IsError => Kind == RedisResultKind.Error;

    /// <summary>The value of an integer reply.</summary>
    public long Integer => Kind == RedisResultKind.Integer ? _integer : throw WrongKind(RedisResultKind.Integer);

    /// <summary>The bytes of a simple or bulk string reply (empty for other kinds).</summary>
    public ReadOnlySpan<byte> Bytes => _payload as byte[];

    /// <summary>Items of an array reply.</summary>
    public int Count => Kind == RedisResultKind.Array ? _count : throw WrongKind(RedisResultKind.Array);

    /// <summary>The error text of an error reply, or the reason of a client-side failure.</summary>
    public string? Message => Kind >= RedisResultKind.Error ? _payload as string : null;

    public RedisResult this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
            return _payload is RedisResult[] items ? items[index] : FromInteger(_inline[index]);
        }
    }

    /// <summary>Item <paramref name="index"/> of an array reply as an integer, without copying the item.</summary>
    public long GetInteger(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
        return _payload is RedisResult[] items ? items[index].Integer : _inline[index];
    }

    public override string ToString() => Kind switch
    {
        RedisResultKind.Integer => _integer.ToString(CultureInfo.InvariantCulture),
        RedisResultKind.SimpleString or RedisResultKind.BulkString => Encoding.UTF8.GetString(Bytes),
        RedisResultKind.Null => "(nil)",
        RedisResultKind.Array => "[" + string.Join(", ", Items()) + "]",
        _ => $"{Kind}: {Message}",
    };

    private IEnumerable<string> Items()
    {
        for (var i = 0; i < _count; i++) yield return this[i].ToString();
    }

    private InvalidOperationException WrongKind(RedisResultKind expected) =>
        new($"the result is {Kind} ({(Kind >= RedisResultKind.Error ? Message : "a reply")}), not {expected}");

    [InlineArray(InlineIntegers)]
    private struct IntegerBuffer
    {
        private long _element;
    }
}
