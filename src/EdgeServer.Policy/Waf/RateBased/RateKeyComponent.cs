using System.Text;
using System.Text.Unicode;
using EdgeServer.Policy.Waf.Evaluation;
using EdgeServer.Policy.Waf.Transforms;

namespace EdgeServer.Policy.Waf.RateBased;

/// <summary>
/// One part of a CUSTOM_KEYS aggregate key (AWS WAF's RateBasedStatementCustomKey): a header, cookie, query argument,
/// the query string, the path, the method, the client or forwarded address, or the request's labels in a namespace.
/// Each writes its value into the caller's stack buffer; the statement hashes the whole key once.
/// </summary>
/// <remarks>
/// As in AWS WAF, a request that lacks a component (no such header, cookie or argument, no label in the namespace) is
/// not counted and the statement does not match it: there is no aggregation instance to count it in.
/// </remarks>
public abstract class RateKeyComponent
{
    /// <summary>The request lacks this component: it is not counted.</summary>
    internal const int Absent = -1;

    /// <summary>A forwarded address is missing, malformed or untrusted and FallbackBehavior is MATCH: the statement matches, uncounted.</summary>
    internal const int Fallback = -2;

    /// <summary>
    /// Most bytes one component adds to a key: values longer than this (after transformation) are cut, so two clients
    /// that differ only after the first 256 bytes share a counter, as with the daemon's header-keyed limits.
    /// </summary>
    public const int MaxValueBytes = 256;

    /// <summary>Writes the value into <paramref name="destination"/> (at least <see cref="MaxValueBytes"/> long); its length, or <see cref="Absent"/> / <see cref="Fallback"/>.</summary>
    internal abstract int Write(ref WafContext context, scoped Span<byte> destination);

    /// <summary>AWS's name for the component, and its settings, for `edge waf explain`.</summary>
    public abstract string Describe();

    /// <summary>Relative cost for `edge waf explain`.</summary>
    public virtual int Cost => 1;
}

/// <summary>A text component's value as bytes, after its text transformations (none: the raw bytes).</summary>
internal static class RateKeyText
{
    public static int Write(ReadOnlySpan<byte> raw, TextTransformationType[] transformations, Span<byte> destination)
    {
        raw = raw[..Math.Min(raw.Length, RateKeyComponent.MaxValueBytes)];
        if (transformations.Length == 0)
        {
            raw.CopyTo(destination);
            return raw.Length;
        }
        // Widened byte for byte, as TextInspection does, so transformations see what the match statements see.
        Span<char> text = stackalloc char[RateKeyComponent.MaxValueBytes];
        var length = Encoding.Latin1.GetChars(raw, text);
        foreach (var transformation in transformations) length = TextTransformations.Apply(transformation, text[..length], text);
        // Decoders can produce chars above U+00FF: UTF-8 keeps them distinct; a value longer than the cap is cut.
        Utf8.FromUtf16(text[..length], destination[..RateKeyComponent.MaxValueBytes], out _, out var written, replaceInvalidSequences: true, isFinalBlock: true);
        return written;
    }

    public static string Describe(TextTransformationType[] transformations) =>
        transformations.Length == 0 ? "" : " after " + string.Join(" > ", transformations.Select(TextTransformations.AwsName));
}
