using System.Buffers;
using System.Text;
using EdgeServer.Policy.Waf.Evaluation;

namespace EdgeServer.Policy.Waf.Fields;

/// <summary>Which parts of a key/value field are inspected (AWS WAF's MatchScope).</summary>
public enum MatchScope : byte { All, Key, Value }

/// <summary>
/// Which names a Headers or Cookies field covers: all, only some, or all but some (AWS WAF's MatchPattern);
/// names compare case-insensitively.
/// </summary>
public sealed class NamePattern(byte[][]? included, byte[][]? excluded)
{
    public static NamePattern All { get; } = new(null, null);

    public bool Covers(ReadOnlySpan<byte> name)
    {
        if (included is not null) return Contains(included, name);
        return excluded is null || !Contains(excluded, name);
    }

    private static bool Contains(byte[][] names, ReadOnlySpan<byte> name)
    {
        foreach (var n in names)
        {
            if (Ascii.EqualsIgnoreCase(name, n)) return true;
        }
        return false;
    }

    public string Describe() => included is not null ? "[" + string.Join(",", included.Select(System.Text.Encoding.ASCII.GetString)) + "]"
        : excluded is not null ? "all but [" + string.Join(",", excluded.Select(System.Text.Encoding.ASCII.GetString)) + "]" : "all";
}

/// <summary>The value(s) of one header; repeated fields are each inspected.</summary>
public sealed class SingleHeaderField(byte[] name) : FieldToMatch
{
    public override bool AnyValueMatches(ref WafContext context, TextInspection inspection)
    {
        if (context.Request.Head is not { } head) return false;
        foreach (ref readonly var field in head.Fields)
        {
            if (Ascii.EqualsIgnoreCase(head.Name(field), name) && inspection.Test(ref context, head.Value(field))) return true;
        }
        return false;
    }

    public override int Cost => 1;
    public override string Describe() => $"SingleHeader({System.Text.Encoding.ASCII.GetString(name)})";
    internal override OptionalPart Part { get; } = OptionalPart.HeaderNamed(name);
    internal override bool AnswerWhenAbsent(TextInspection inspection) => false; // no value to test

    internal override bool CanScreenRawValues => true;
    internal override bool AnyRawValueHolds(in WafRequest request, SearchValues<byte> bytes)
    {
        if (request.Head is not { } head) return false;
        foreach (ref readonly var field in head.Fields)
        {
            if (Ascii.EqualsIgnoreCase(head.Name(field), name) && head.Value(field).ContainsAny(bytes)) return true;
        }
        return false;
    }
}

public sealed class HeadersField(NamePattern pattern, MatchScope scope, OversizeHandling oversize) : FieldToMatch
{
    public override bool AnyValueMatches(ref WafContext context, TextInspection inspection)
    {
        if (context.Request.Head is not { } head) return false;
        foreach (ref readonly var field in head.Fields)
        {
            var key = head.Name(field);
            if (!pattern.Covers(key)) continue;
            var value = head.Value(field);
            if (scope != MatchScope.Value && inspection.Test(ref context, key)) return true;
            if (scope == MatchScope.Key) continue;
            if (Oversize(value.Length, oversize) is { } answer)
            {
                if (answer) return true;
                continue;
            }
            if (inspection.Test(ref context, value)) return true;
        }
        return false;
    }

    public override int Cost => 4;
    public override string Describe() => $"Headers({pattern.Describe()}, {scope})";

    internal override bool CanScreenRawValues => true;
    internal override bool AnyRawValueHolds(in WafRequest request, SearchValues<byte> bytes)
    {
        if (request.Head is not { } head) return false;
        foreach (ref readonly var field in head.Fields)
        {
            var key = head.Name(field);
            if (!pattern.Covers(key)) continue;
            if (scope != MatchScope.Value && key.ContainsAny(bytes)) return true;
            if (scope == MatchScope.Key) continue;
            var value = head.Value(field);
            if (Oversize(value.Length, oversize) == true || value.ContainsAny(bytes)) return true;
        }
        return false;
    }
    internal override string Identity => $"Headers({pattern.Describe()}, {scope}, oversize {oversize})";
}

/// <summary>Cookies from every Cookie header, split on ';' into name=value pairs.</summary>
public sealed class CookiesField(NamePattern pattern, MatchScope scope, OversizeHandling oversize) : FieldToMatch
{
    private static readonly byte[] s_cookie = "Cookie"u8.ToArray();

    public override bool AnyValueMatches(ref WafContext context, TextInspection inspection)
    {
        if (context.Request.Head is not { } head) return false;
        foreach (ref readonly var field in head.Fields)
        {
            if (!Ascii.EqualsIgnoreCase(head.Name(field), s_cookie)) continue;
            var cookies = head.Value(field);
            if (Oversize(cookies.Length, oversize) is true) return true;
            foreach (var range in cookies.Split((byte)';'))
            {
                var pair = cookies[range].Trim((byte)' ');
                if (pair.IsEmpty) continue;
                var equals = pair.IndexOf((byte)'=');
                var key = equals < 0 ? pair : pair[..equals];
                var value = equals < 0 ? default : pair[(equals + 1)..];
                if (!pattern.Covers(key)) continue;
                if (scope != MatchScope.Value && inspection.Test(ref context, key)) return true;
                if (scope != MatchScope.Key && inspection.Test(ref context, value)) return true;
            }
        }
        return false;
    }

    public override int Cost => 3;
    public override string Describe() => $"Cookies({pattern.Describe()}, {scope})";

    internal override bool CanScreenRawValues => true;
    // Every cookie's name and value are inside a Cookie header's value.
    internal override bool AnyRawValueHolds(in WafRequest request, SearchValues<byte> bytes)
    {
        if (request.Head is not { } head) return false;
        foreach (ref readonly var field in head.Fields)
        {
            if (!Ascii.EqualsIgnoreCase(head.Name(field), s_cookie)) continue;
            var cookies = head.Value(field);
            if (Oversize(cookies.Length, oversize) == true || cookies.ContainsAny(bytes)) return true;
        }
        return false;
    }
    internal override OptionalPart Part { get; } = OptionalPart.HeaderNamed(s_cookie);
    internal override bool AnswerWhenAbsent(TextInspection inspection) => false; // no cookie to test
    internal override string Identity => $"Cookies({pattern.Describe()}, {scope}, oversize {oversize})";
}
