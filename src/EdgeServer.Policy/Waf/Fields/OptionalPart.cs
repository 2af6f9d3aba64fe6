using System.Text;
using EdgeServer.Policy.Waf.Evaluation;
using EdgeServer.Protocol.Http1;

namespace EdgeServer.Policy.Waf.Fields;

public enum OptionalPartKind : byte { Query, Body, Header }

/// <summary>
/// A part of a request that is often missing: the query, the body, one header (Cookie, User-Agent, Content-Type).
/// When it is, a rule that only reads it is decided before it runs (see <see cref="Evaluation.AbsenceGates"/>):
/// a browser's GET has no body, wrk's has no query, cookies or User-Agent, and a dozen rules of a managed rule
/// set look at each of those.
/// </summary>
public sealed class OptionalPart : IEquatable<OptionalPart>
{
    private readonly byte[] _name;

    private OptionalPart(OptionalPartKind kind, string? header)
    {
        Kind = kind;
        Header = header;
        _name = header is null ? [] : Encoding.ASCII.GetBytes(header);
    }

    public static OptionalPart Query { get; } = new(OptionalPartKind.Query, null);
    public static OptionalPart Body { get; } = new(OptionalPartKind.Body, null);

    /// <param name="name">Header names compare case-insensitively: kept lower-cased.</param>
    public static OptionalPart HeaderNamed(ReadOnlySpan<byte> name) => new(OptionalPartKind.Header, Encoding.ASCII.GetString(name).ToLowerInvariant());

    public OptionalPartKind Kind { get; }
    /// <summary>The lower-cased header name, for <see cref="OptionalPartKind.Header"/>.</summary>
    public string? Header { get; }

    public bool Equals(OptionalPart? other) => other is not null && Kind == other.Kind && Header == other.Header;
    public override bool Equals(object? obj) => Equals(obj as OptionalPart);
    public override int GetHashCode() => HashCode.Combine(Kind, Header);

    /// <summary>
    /// The request lacks it in the sense the fields read it: an empty query is none; a body is missing only when
    /// none was framed at all (an unread or truncated body is not missing). Before a request (a connection-level
    /// evaluation) nothing is missing: fields answer false there, not their answer for a missing part.
    /// </summary>
    public bool IsAbsentFrom(in WafRequest request)
    {
        if (request.Head is not { } head) return false;
        switch (Kind)
        {
            case OptionalPartKind.Query:
                return head.Query.IsEmpty;
            case OptionalPartKind.Body:
                return head.BodyFraming == BodyFraming.None && request.Body.IsEmpty && !request.BodyTruncated;
            default:
                foreach (ref readonly var field in head.Fields)
                {
                    if (Ascii.EqualsIgnoreCase(head.Name(field), _name)) return false;
                }
                return true;
        }
    }

    public override string ToString() => Kind == OptionalPartKind.Header ? $"header {Header}" : Kind.ToString().ToLowerInvariant();
}
