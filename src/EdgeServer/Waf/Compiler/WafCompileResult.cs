using EdgeServer.Config;
using EdgeServer.Policy.Waf;

namespace EdgeServer.Waf.Compiler;

/// <summary>
/// A rule file compiled, or every error in it (and in the IP set files it names) with file, line and column.
/// <see cref="Files"/> are all the files read, for the reload watcher. <see cref="RateLimitersCarriedOver"/>: rate-based
/// rules that kept the previous ACL's counters.
/// </summary>
internal sealed record WafCompileResult(WebAcl? Acl, IReadOnlyList<ConfigError> Errors, IReadOnlyList<string> Files, IReadOnlyList<string> Notices,
    bool UsesGeo = false, int RateLimitersCarriedOver = 0)
{
    public bool Ok => Acl is not null && Errors.Count == 0;
}
