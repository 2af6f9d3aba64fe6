using EdgeServer.Config;

namespace EdgeServer.Waf;

/// <summary>A rule file that no longer compiles when a config is applied (it changed after the config was validated).</summary>
internal sealed class WafCompileException(IReadOnlyList<ConfigError> errors)
    : Exception(string.Join("; ", errors.Select(e => e.ToString())))
{
    public IReadOnlyList<ConfigError> Errors { get; } = errors;
}
