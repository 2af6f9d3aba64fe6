namespace EdgeServer.Config.Values;

/// <summary>
/// File paths in a config are relative to the config file's directory, so a config and the certificates
/// beside it can move together; the embedded default config has no directory and resolves against the
/// working directory (where the README runs it).
/// </summary>
internal static class ConfigPath
{
    public static string Resolve(string configFile, string path) => Path.GetFullPath(path, DirectoryOf(configFile));

    /// <summary>The directory relative paths in <paramref name="configFile"/> are resolved against.</summary>
    public static string DirectoryOf(string configFile) =>
        configFile.StartsWith('<') ? Directory.GetCurrentDirectory()
            : Path.GetDirectoryName(Path.GetFullPath(configFile)) ?? Directory.GetCurrentDirectory();
}
