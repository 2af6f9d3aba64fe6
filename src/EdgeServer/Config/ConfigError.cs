using EdgeServer.Config.Model;

namespace EdgeServer.Config;

/// <summary>One thing wrong with a config file, with where it is.</summary>
internal sealed record ConfigError(SourceMark Mark, string Message)
{
    public override string ToString() => $"{Mark}: {Message}";
}

internal sealed record ConfigLoadResult(EdgeConfig? Config, IReadOnlyList<ConfigError> Errors)
{
    public bool Ok => Config is not null && Errors.Count == 0;
}
