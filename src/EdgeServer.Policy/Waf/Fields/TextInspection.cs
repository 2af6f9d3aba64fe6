using System.Buffers;
using System.Text;
using EdgeServer.Policy.Waf.Evaluation;
using EdgeServer.Policy.Waf.Transforms;
using EdgeServer.Protocol.Http1;

namespace EdgeServer.Policy.Waf.Fields;

/// <summary>A test on transformed text: ByteMatch, RegexMatch, SQLi and XSS detection, size comparison.</summary>
public abstract class TextPredicate
{
    public abstract bool Test(ReadOnlySpan<char> text);
    public abstract int Cost { get; }
    public abstract string Describe();

    /// <summary>
    /// What a text must hold for the predicate to match: every char of one of these strings at least. Null when
    /// nothing is needed (sizes, SQLi, a regex without a required literal). <see cref="RawScreen"/> reads it.
    /// </summary>
    internal virtual IReadOnlyList<string>? NeededChars => null;
}

/// <summary>
/// A field, the transformations applied to each of its values in priority order, and the predicate. Values
/// are widened byte-for-byte into the evaluation's text buffer (Latin-1: URL_DECODE and friends then decode
/// escapes; raw non-ASCII bytes stay distinguishable) and transformed in place, so nothing is allocated.
/// </summary>
public sealed class TextInspection
{
    private readonly TextTransformationType[] _transformations;
    private readonly TextPredicate _predicate;

    public TextInspection(FieldToMatch field, TextTransformationType[] transformations, TextPredicate predicate)
    {
        Field = field;
        _transformations = transformations;
        _predicate = predicate;
        // No transformation lengthens text, so an empty value stays empty: its answer is known now. Absent
        // bodies, queries and headers are common, and detectors have a fixed cost even on nothing.
        _emptyResult = predicate.Test([]);
        ScreenBytes = RawScreen.For(transformations, predicate);
        _screen = ScreenBytes is null ? null : SearchValues.Create(ScreenBytes);
        if (field is MethodField) _knownMethodResults = [.. Enum.GetValues<KnownMethod>().Select(m => m != KnownMethod.Custom && TestOffline(m.ToString().ToUpperInvariant()))];
    }

    private readonly bool _emptyResult;

    /// <summary>Bytes a raw value must hold for the predicate to match after the transformations (see <see cref="RawScreen"/>); null when none can be named.</summary>
    private readonly SearchValues<byte>? _screen;

    /// <summary>The bytes of that screen, for screens over a whole field (<see cref="Evaluation.FieldScreens"/>).</summary>
    internal byte[]? ScreenBytes { get; }

    /// <summary>The answer for an empty value, known at compile time.</summary>
    internal bool EmptyResult => _emptyResult;

    /// <summary>
    /// A Method field's answers for the methods the parser recognises, indexed by <see cref="KnownMethod"/>: the
    /// answer for "GET" never changes, so a regex that allows a list of methods runs at compile time only.
    /// </summary>
    private readonly bool[]? _knownMethodResults;

    internal bool TestKnownMethod(KnownMethod method) => _knownMethodResults![(int)method];

    /// <summary>
    /// Set by the ACL when another inspection applies the same transformation chain: the slot its results are
    /// cached under for the evaluation; -1 when no other rule could reuse them.
    /// </summary>
    internal int CacheSlot { get; set; } = -1;

    public FieldToMatch Field { get; }
    public IReadOnlyList<TextTransformationType> Transformations => _transformations;
    public TextPredicate Predicate => _predicate;

    public bool Matches(ref WafContext context) => Field.AnyValueMatches(ref context, this);

    /// <summary>Called by the field for each raw value.</summary>
    internal bool Test(ref WafContext context, ReadOnlySpan<byte> raw)
    {
        if (raw.IsEmpty) return _emptyResult;
        var text = context.Text.AsSpan();
        raw = raw[..Math.Min(raw.Length, text.Length)];
        if (_screen is not null && context.Shortcuts && !raw.ContainsAny(_screen)) return false;
        var slot = CacheSlot;
        int source = 0, offset = 0;
        if (slot >= 0 && context.TryLocate(raw, out source, out offset))
        {
            if (context.Cache.TryGet(slot, source, offset, raw.Length, out var cached)) return _predicate.Test(cached);
        }
        else
        {
            slot = -1;
        }
        var length = Transform(text, Encoding.Latin1.GetChars(raw, text));
        if (slot >= 0) context.Cache.Store(slot, source, offset, raw.Length, text[..length]);
        return _predicate.Test(text[..length]);
    }

    /// <summary>Text that is already chars (certificate fields).</summary>
    internal bool Test(ref WafContext context, ReadOnlySpan<char> value)
    {
        if (value.IsEmpty) return _emptyResult;
        var text = context.Text.AsSpan();
        var length = Math.Min(value.Length, text.Length);
        value[..length].CopyTo(text);
        return _predicate.Test(text[..Transform(text, length)]);
    }

    /// <summary>An answer known at compile time (no transformation lengthens text, so the value's own length is room enough).</summary>
    private bool TestOffline(string value)
    {
        var text = value.ToCharArray();
        return _predicate.Test(text.AsSpan(0, Transform(text, text.Length)));
    }

    /// <summary>Applies the chain in place to the first <paramref name="length"/> chars; returns the new length.</summary>
    private int Transform(Span<char> text, int length)
    {
        foreach (var transformation in _transformations)
        {
            length = TextTransformations.Apply(transformation, text[..length], text);
        }
        return length;
    }

    public int Cost => Field.Cost * (1 + _transformations.Length) * _predicate.Cost;

    public string Describe() =>
        $"{_predicate.Describe()} in {Field.Describe()}" +
        (_transformations.Length == 0 ? "" : " after " + string.Join(" > ", _transformations.Select(TextTransformations.AwsName)));
}
