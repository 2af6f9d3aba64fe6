using System.Text.RegularExpressions;
using EdgeServer.Policy.Injection;

namespace EdgeServer.Policy.Waf.Fields;

public enum PositionalConstraint : byte { Exactly, StartsWith, EndsWith, Contains, ContainsWord }

/// <summary>ByteMatch: ordinal, case-sensitive (a LOWERCASE transformation makes it insensitive, as in AWS WAF).</summary>
public sealed class ByteMatchPredicate(string search, PositionalConstraint constraint) : TextPredicate
{
    internal string Search => search;

    public override bool Test(ReadOnlySpan<char> text) => constraint switch
    {
        PositionalConstraint.Exactly => text.SequenceEqual(search),
        PositionalConstraint.StartsWith => text.StartsWith(search, StringComparison.Ordinal),
        PositionalConstraint.EndsWith => text.EndsWith(search, StringComparison.Ordinal),
        PositionalConstraint.Contains => text.Contains(search, StringComparison.Ordinal),
        _ => ContainsWord(text),
    };

    /// <summary>AWS's CONTAINS_WORD: the search string bounded by non-word characters (or the ends) on both sides.</summary>
    private bool ContainsWord(ReadOnlySpan<char> text)
    {
        var from = 0;
        while (from <= text.Length - search.Length)
        {
            var at = text[from..].IndexOf(search, StringComparison.Ordinal);
            if (at < 0) return false;
            at += from;
            var end = at + search.Length;
            if ((at == 0 || !IsWord(text[at - 1])) && (end == text.Length || !IsWord(text[end]))) return true;
            from = at + 1;
        }
        return false;
    }

    private static bool IsWord(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    public override int Cost => 1;
    public override string Describe() => $"ByteMatch {constraint} \"{search}\"";
    internal override IReadOnlyList<string>? NeededChars => search.Length > 0 ? [search] : null;
}

/// <summary>
/// RegexMatch with the non-backtracking engine: linear time in the input, so no pattern can be a ReDoS. A
/// literal every match starts with (<see cref="RegexLiteral"/>) is looked for first.
/// </summary>
public sealed class RegexPredicate(Regex regex) : TextPredicate
{
    private readonly string? _literal = RegexLiteral.RequiredPrefix(regex.ToString(), regex.Options);

    public override bool Test(ReadOnlySpan<char> text) =>
        (_literal is null || text.Contains(_literal, StringComparison.Ordinal)) && regex.IsMatch(text);
    public override int Cost => 4;
    public override string Describe() => $"Regex /{regex}/";
    internal override IReadOnlyList<string>? NeededChars => _literal is null ? null : [_literal];
}

public sealed class SqliPredicate : TextPredicate
{
    public override bool Test(ReadOnlySpan<char> text) => SqlInjectionDetector.IsSqlInjection(text);
    public override int Cost => 6;
    public override string Describe() => "SqliMatch";
}

public sealed class XssPredicate : TextPredicate
{
    public override bool Test(ReadOnlySpan<char> text) => XssDetector.IsXss(text);
    internal override IReadOnlyList<string>? NeededChars => XssDetector.NeededChars;
    public override int Cost => 6;
    public override string Describe() => "XssMatch";
}

public enum ComparisonOperator : byte { Eq, Ne, Le, Lt, Ge, Gt }

/// <summary>SizeConstraint on the transformed value's length in characters.</summary>
public sealed class SizePredicate(ComparisonOperator comparison, long size) : TextPredicate
{
    public override bool Test(ReadOnlySpan<char> text) => Compare(text.Length);

    public bool Compare(long length) => comparison switch
    {
        ComparisonOperator.Eq => length == size,
        ComparisonOperator.Ne => length != size,
        ComparisonOperator.Le => length <= size,
        ComparisonOperator.Lt => length < size,
        ComparisonOperator.Ge => length >= size,
        _ => length > size,
    };

    public override int Cost => 1;
    public override string Describe() => $"Size {comparison} {size}";
}
