using System.Buffers.Binary;
using EdgeServer.Policy.RateLimiting;
using EdgeServer.Policy.Waf.Evaluation;
using EdgeServer.Policy.Waf.Statements;

namespace EdgeServer.Policy.Waf.RateBased;

/// <summary>AWS WAF's AggregateKeyType: what a rate-based statement counts requests by.</summary>
public enum RateAggregateKeyType : byte { Ip, ForwardedIp, Constant, CustomKeys }

/// <summary>What building a request's aggregate key gave.</summary>
internal enum RateKeyOutcome : byte
{
    /// <summary>The key is built: count the request.</summary>
    Key,
    /// <summary>A component is missing: the request is not counted and the statement does not match it.</summary>
    Absent,
    /// <summary>The forwarded address is unusable and FallbackBehavior is MATCH: the statement matches without counting.</summary>
    FallbackMatch,
}

/// <summary>
/// How a rate-based statement groups requests into counters, turned into a <see cref="RateLimitKey"/> per request
/// without allocating: the key's bytes are written into a stack buffer and hashed once.
/// </summary>
/// <remarks>
/// IP and FORWARDED_IP keys are the bytes <see cref="RateLimitKeys.WriteClientIp(ReadOnlySpan{byte}, Span{byte})"/>
/// writes, so one client is one key whether its address came from the socket or from a trusted proxy's header.
/// CUSTOM_KEYS writes each component as a 2-byte length and its bytes, in the configured order: ("ab", "c") and
/// ("a", "bc") are different keys, and the position says which component a value belongs to.
/// </remarks>
public sealed class RateAggregateKey
{
    /// <summary>AWS WAF's limit on custom keys per statement.</summary>
    public const int MaxCustomKeys = 5;

    /// <summary>The stack buffer a CUSTOM_KEYS key needs at most: every component at its cap, with its length.</summary>
    private const int MaxCustomKeyBytes = MaxCustomKeys * (2 + RateKeyComponent.MaxValueBytes);

    private static readonly RateLimitKey s_constant = RateLimitKey.Of("waf:constant"u8);

    private readonly RateKeyComponent[] _components;

    private RateAggregateKey(RateAggregateKeyType type, RateKeyComponent[] components, ForwardedIpConfig? forwarded)
    {
        Type = type;
        _components = components;
        Forwarded = forwarded;
    }

    public static RateAggregateKey Ip { get; } = new(RateAggregateKeyType.Ip, [], null);

    public static RateAggregateKey Constant { get; } = new(RateAggregateKeyType.Constant, [], null);

    public static RateAggregateKey ForwardedIp(ForwardedIpConfig config) =>
        new(RateAggregateKeyType.ForwardedIp, [new ForwardedIpKeyComponent(config)], config);

    /// <exception cref="ArgumentException">No component, or more than <see cref="MaxCustomKeys"/>.</exception>
    public static RateAggregateKey Custom(RateKeyComponent[] components)
    {
        if (components.Length is 0 or > MaxCustomKeys)
            throw new ArgumentException($"CUSTOM_KEYS takes 1 to {MaxCustomKeys} keys, not {components.Length}", nameof(components));
        return new(RateAggregateKeyType.CustomKeys, [.. components], null);
    }

    public RateAggregateKeyType Type { get; }

    public IReadOnlyList<RateKeyComponent> Components => _components;

    /// <summary>The forwarded-IP config of a FORWARDED_IP key (custom ForwardedIP components carry their own).</summary>
    public ForwardedIpConfig? Forwarded { get; }

    internal RateKeyOutcome TryBuild(ref WafContext context, out RateLimitKey key)
    {
        switch (Type)
        {
            case RateAggregateKeyType.Ip:
            {
                Span<byte> bytes = stackalloc byte[RateLimitKeys.MaxLength];
                key = RateLimitKey.Of(bytes[..RateLimitKeys.WriteClientIp(context.Request.ClientAddress, bytes)]);
                return RateKeyOutcome.Key;
            }
            case RateAggregateKeyType.Constant:
                key = s_constant;
                return RateKeyOutcome.Key;
            case RateAggregateKeyType.ForwardedIp:
            {
                Span<byte> bytes = stackalloc byte[RateKeyComponent.MaxValueBytes];
                var n = _components[0].Write(ref context, bytes);
                return Finish(n, bytes, out key);
            }
            default:
                return BuildCustom(ref context, out key);
        }
    }

    private RateKeyOutcome BuildCustom(ref WafContext context, out RateLimitKey key)
    {
        Span<byte> bytes = stackalloc byte[MaxCustomKeyBytes];
        var at = 0;
        foreach (var component in _components)
        {
            var n = component.Write(ref context, bytes.Slice(at + 2, RateKeyComponent.MaxValueBytes));
            if (n < 0) return Finish(n, default, out key);
            BinaryPrimitives.WriteUInt16LittleEndian(bytes[at..], (ushort)n);
            at += 2 + n;
        }
        key = RateLimitKey.Of(bytes[..at]);
        return RateKeyOutcome.Key;
    }

    private static RateKeyOutcome Finish(int written, ReadOnlySpan<byte> bytes, out RateLimitKey key)
    {
        if (written >= 0)
        {
            key = RateLimitKey.Of(bytes[..written]);
            return RateKeyOutcome.Key;
        }
        key = default;
        return written == RateKeyComponent.Fallback ? RateKeyOutcome.FallbackMatch : RateKeyOutcome.Absent;
    }

    public int Cost => Type == RateAggregateKeyType.CustomKeys ? _components.Sum(c => c.Cost) : 1;

    /// <summary>AWS's name for the key type and its components, for `edge waf explain` and for telling one definition from another on reload.</summary>
    public string Describe() => Type switch
    {
        RateAggregateKeyType.Ip => "IP",
        RateAggregateKeyType.Constant => "CONSTANT",
        RateAggregateKeyType.ForwardedIp => "FORWARDED_IP " + _components[0].Describe(),
        _ => "CUSTOM_KEYS [" + string.Join(", ", _components.Select(c => c.Describe())) + "]",
    };
}
