using System.Buffers;
using System.Text;
using EdgeServer.Policy.Waf.Evaluation;
using EdgeServer.Protocol.Http1;

namespace EdgeServer.Policy.Waf.Fields;

/// <summary>The path as sent (percent-encoded; URL_DECODE makes it what the backend will see).</summary>
public sealed class UriPathField : FieldToMatch
{
    public override bool AnyValueMatches(ref WafContext context, TextInspection inspection) =>
        context.Request.Head is { } head && inspection.Test(ref context, head.Path);
    public override int Cost => 1;
    public override string Describe() => "UriPath";
    internal override bool CanScreenRawValues => true;
    internal override bool AnyRawValueHolds(in WafRequest request, SearchValues<byte> bytes) => request.Head is { } head && head.Path.ContainsAny(bytes);
}

/// <summary>The query string without the '?'; an absent query is the empty string.</summary>
public sealed class QueryStringField : FieldToMatch
{
    public override bool AnyValueMatches(ref WafContext context, TextInspection inspection) =>
        context.Request.Head is { } head && inspection.Test(ref context, head.Query);
    public override int Cost => 1;
    public override string Describe() => "QueryString";
    internal override bool CanScreenRawValues => true;
    internal override bool AnyRawValueHolds(in WafRequest request, SearchValues<byte> bytes) => request.Head is { } head && head.Query.ContainsAny(bytes);
    internal override OptionalPart Part => OptionalPart.Query;
    internal override bool AnswerWhenAbsent(TextInspection inspection) => inspection.EmptyResult; // the empty string is tested
}

/// <summary>The method; the answers for the methods the parser knows by name are worked out at compile time.</summary>
public sealed class MethodField : FieldToMatch
{
    public override bool AnyValueMatches(ref WafContext context, TextInspection inspection) =>
        context.Request.Head is { } head &&
        (head.Method != KnownMethod.Custom ? inspection.TestKnownMethod(head.Method) : inspection.Test(ref context, head.MethodBytes));
    public override int Cost => 1;
    public override string Describe() => "Method";
}

/// <summary>Query arguments: one named (case-insensitive, as AWS WAF matches names) or every value.</summary>
public sealed class QueryArgumentsField(byte[]? name) : FieldToMatch
{
    public override bool AnyValueMatches(ref WafContext context, TextInspection inspection)
    {
        if (context.Request.Head is not { HasQuery: true } head) return false;
        var query = head.Query;
        foreach (var range in query.Split((byte)'&'))
        {
            var pair = query[range];
            if (pair.IsEmpty) continue;
            var equals = pair.IndexOf((byte)'=');
            var key = equals < 0 ? pair : pair[..equals];
            var value = equals < 0 ? default : pair[(equals + 1)..];
            if (name is not null && !Ascii.EqualsIgnoreCase(key, name)) continue;
            if (inspection.Test(ref context, value)) return true;
        }
        return false;
    }

    public override int Cost => 2;
    internal override OptionalPart Part => OptionalPart.Query;
    internal override bool AnswerWhenAbsent(TextInspection inspection) => false; // no argument to test
    internal override bool CanScreenRawValues => true;
    // Every argument's name and value are inside the query.
    internal override bool AnyRawValueHolds(in WafRequest request, SearchValues<byte> bytes) => request.Head is { } head && head.Query.ContainsAny(bytes);
    public override string Describe() => name is null ? "AllQueryArguments" : $"SingleQueryArgument({System.Text.Encoding.ASCII.GetString(name)})";
}
