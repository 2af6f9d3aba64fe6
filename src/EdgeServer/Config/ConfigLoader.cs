using EdgeServer.Config.Model;

namespace EdgeServer.Config;

/// <summary>YAML text to a validated <see cref="EdgeConfig"/>, or every error found with file, line and column.</summary>
internal static class ConfigLoader
{
    public static ConfigLoadResult LoadFile(string path) => throw new NotImplementedException();

    public static ConfigLoadResult LoadYaml(string yaml, string sourceName) => throw new NotImplementedException();
}
