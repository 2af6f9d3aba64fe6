using System.Text;
using EdgeServer.Policy.RateLimiting;
using EdgeServer.Policy.Waf.Evaluation;
using EdgeServer.Policy.Waf.Statements;
using EdgeServer.Policy.Waf.Transforms;

namespace EdgeServer.Policy.Waf.RateBased;

/// <summary>The first header of this name (names compare case-insensitively).</summary>
public sealed class HeaderKeyComponent(string name, TextTransformationType[] transformations) : RateKeyComponent
{
    private readonly byte[] _name = Encoding.ASCII.GetBytes(name);

    internal override int Write(ref WafContext context, scoped Span<byte> destination)
    {
        if (context.Request.Head is not { } head) return Absent;
        var index = head.IndexOf(_name);
        return index < 0 ? Absent : RateKeyText.Write(head.Value(index), transformations, destination);
    }

    public override string Describe() => $"Header({name}){RateKeyText.Describe(transformations)}";
}

/// <summary>The first cookie of this name in any Cookie header (cookie names are case-sensitive, RFC 6265).</summary>
public sealed class CookieKeyComponent(string name, TextTransformationType[] transformations) : RateKeyComponent
{
    private readonly byte[] _name = Encoding.ASCII.GetBytes(name);

    internal override int Write(ref WafContext context, scoped Span<byte> destination)
    {
        if (context.Request.Head is not { } head) return Absent;
        foreach (ref readonly var field in head.Fields)
        {
            if (!Ascii.EqualsIgnoreCase(head.Name(field), "Cookie"u8)) continue;
            var cookies = head.Value(field);
            foreach (var range in cookies.Split((byte)';'))
            {
                var pair = cookies[range].Trim((byte)' ');
                var equals = pair.IndexOf((byte)'=');
                if (equals >= 0 && pair[..equals].SequenceEqual(_name)) return RateKeyText.Write(pair[(equals + 1)..], transformations, destination);
            }
        }
        return Absent;
    }

    public override string Describe() => $"Cookie({name}){RateKeyText.Describe(transformations)}";
}

/// <summary>The first query argument of this name (case-insensitive, as SingleQueryArgument matches names); `?a` is present and empty.</summary>
public sealed class QueryArgumentKeyComponent(string name, TextTransformationType[] transformations) : RateKeyComponent
{
    private readonly byte[] _name = Encoding.ASCII.GetBytes(name);

    internal override int Write(ref WafContext context, scoped Span<byte> destination)
    {
        if (context.Request.Head is not { HasQuery: true } head) return Absent;
        var query = head.Query;
        foreach (var range in query.Split((byte)'&'))
        {
            var pair = query[range];
            var equals = pair.IndexOf((byte)'=');
            var key = equals < 0 ? pair : pair[..equals];
            if (Ascii.EqualsIgnoreCase(key, _name)) return RateKeyText.Write(equals < 0 ? default : pair[(equals + 1)..], transformations, destination);
        }
        return Absent;
    }

    public override string Describe() => $"QueryArgument({name}){RateKeyText.Describe(transformations)}";
}

/// <summary>The query string without '?'; a request without one is not counted.</summary>
public sealed class QueryStringKeyComponent(TextTransformationType[] transformations) : RateKeyComponent
{
    internal override int Write(ref WafContext context, scoped Span<byte> destination) =>
        context.Request.Head is { HasQuery: true } head ? RateKeyText.Write(head.Query, transformations, destination) : Absent;

    public override string Describe() => $"QueryString{RateKeyText.Describe(transformations)}";
}

/// <summary>The path as sent (URL_DECODE and NORMALIZE_PATH make /a%2Fb and /x/../a/b one key).</summary>
public sealed class UriPathKeyComponent(TextTransformationType[] transformations) : RateKeyComponent
{
    internal override int Write(ref WafContext context, scoped Span<byte> destination) =>
        context.Request.Head is { } head ? RateKeyText.Write(head.Path, transformations, destination) : Absent;

    public override string Describe() => $"UriPath{RateKeyText.Describe(transformations)}";
}

public sealed class HttpMethodKeyComponent : RateKeyComponent
{
    internal override int Write(ref WafContext context, scoped Span<byte> destination) =>
        context.Request.Head is { } head ? RateKeyText.Write(head.MethodBytes, [], destination) : Absent;

    public override string Describe() => "HTTPMethod";
}

/// <summary>The peer's address, as the daemon's per-IP limits key it (IPv4-mapped addresses count as IPv4).</summary>
public sealed class IpKeyComponent : RateKeyComponent
{
    internal override int Write(ref WafContext context, scoped Span<byte> destination) =>
        RateLimitKeys.WriteClientIp(context.Request.ClientAddress, destination);

    public override string Describe() => "IP";
}

/// <summary>The first address of the forwarded-IP header (AWS uses the first for rate-based keys), keyed like a peer address.</summary>
public sealed class ForwardedIpKeyComponent(ForwardedIpConfig config) : RateKeyComponent
{
    public ForwardedIpConfig Config { get; } = config;

    internal override int Write(ref WafContext context, scoped Span<byte> destination)
    {
        Span<byte> slot = stackalloc byte[16];
        Span<int> length = stackalloc int[1];
        // NO_MATCH is "not counted, no match", as for any missing component.
        if (Config.Select(ref context, slot, length) == 0) return Config.FallbackMatches ? Fallback : Absent;
        return RateLimitKeys.WriteClientIp(slot[..length[0]], destination);
    }

    public override string Describe() => $"ForwardedIP({Config.HeaderName}, fallback {(Config.FallbackMatches ? "MATCH" : "NO_MATCH")})";
    public override int Cost => 2;
}

/// <summary>
/// The request's labels under a namespace (added by earlier rules, or geo:country: by GeoMatch): the set of their full
/// names is the value, in name order, so the order rules added them in does not matter. No such label: not counted.
/// </summary>
public sealed class LabelNamespaceKeyComponent(string ns, (int Id, byte[] Name)[] labels) : RateKeyComponent
{
    private readonly (int Id, byte[] Name)[] _labels = [.. labels.OrderBy(l => Encoding.ASCII.GetString(l.Name), StringComparer.Ordinal)];

    internal override int Write(ref WafContext context, scoped Span<byte> destination)
    {
        var written = 0;
        var any = false;
        foreach (var (id, name) in _labels)
        {
            if (!context.HasLabel(id)) continue;
            any = true;
            // Each name and a separator that labels cannot contain; a set too long for the cap is cut.
            var n = Math.Min(name.Length, MaxValueBytes - written);
            name.AsSpan(0, n).CopyTo(destination[written..]);
            written += n;
            if (written == MaxValueBytes) break;
            destination[written++] = (byte)' ';
        }
        return any ? written : Absent;
    }

    public override string Describe() => $"LabelNamespace({ns})";
    public override int Cost => 1 + _labels.Length / 16;
}
