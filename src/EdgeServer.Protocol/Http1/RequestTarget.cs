namespace EdgeServer.Protocol.Http1;

/// <summary>
/// request-target forms (RFC 9112 §3.2), given bytes already known to be visible ASCII without '#'.
/// CONNECT takes authority-form and nothing else; "*" only with OPTIONS; otherwise origin-form or
/// http/https absolute-form.
/// </summary>
internal static class RequestTarget
{
    public static bool Parse(ReadOnlySpan<byte> line, int start, int length, KnownMethod method, RequestHead head)
    {
        var target = line.Slice(start, length);
        head.TargetStart = start;
        head.TargetLength = length;

        if (method == KnownMethod.Connect)
        {
            // authority-form = uri-host ":" port; Path stays "/" (PathLength 0).
            if (!HostSyntax.IsValid(target, requirePort: true)) return false;
            head.Form = TargetForm.Authority;
            head.AuthorityStart = start;
            head.AuthorityLength = length;
            return true;
        }

        if (target[0] == '/')
        {
            head.Form = TargetForm.Origin;
            SetPathAndQuery(target, start, head);
            return true;
        }

        if (target.Length == 1 && target[0] == '*')
        {
            if (method != KnownMethod.Options) return false;
            head.Form = TargetForm.Asterisk;
            head.PathStart = start;
            head.PathLength = 1; // Path and PathAndQuery read "*", what is sent upstream
            return true;
        }

        var schemeLength = StartsWithIgnoreCase(target, "http://"u8) ? 7 : StartsWithIgnoreCase(target, "https://"u8) ? 8 : 0;
        if (schemeLength == 0) return false;
        var rest = target[schemeLength..];
        var authorityLength = rest.IndexOfAny((byte)'/', (byte)'?');
        if (authorityLength < 0) authorityLength = rest.Length;
        if (!HostSyntax.IsValid(rest[..authorityLength], requirePort: false)) return false;
        head.Form = TargetForm.Absolute;
        head.AuthorityStart = start + schemeLength;
        head.AuthorityLength = authorityLength;
        var path = rest[authorityLength..];
        if (path.IsEmpty) return true; // "http://host": Path reads "/"
        // "http://host?q" is valid RFC 3986 but PathAndQuery could only render it as "/" and lose the
        // query; no client sends it (they write "http://host/?q"), so it is refused rather than mangled.
        if (path[0] != '/') return false;
        SetPathAndQuery(path, start + schemeLength + authorityLength, head);
        return true;
    }

    private static bool StartsWithIgnoreCase(ReadOnlySpan<byte> s, ReadOnlySpan<byte> prefix) =>
        s.Length >= prefix.Length && Ascii.EqualsIgnoreCase(s[..prefix.Length], prefix);

    private static void SetPathAndQuery(ReadOnlySpan<byte> pathAndQuery, int start, RequestHead head)
    {
        var question = pathAndQuery.IndexOf((byte)'?');
        head.PathStart = start;
        head.PathLength = question < 0 ? pathAndQuery.Length : question;
        if (question >= 0)
        {
            head.QueryStart = start + question + 1;
            head.QueryLength = pathAndQuery.Length - question - 1;
        }
    }
}
