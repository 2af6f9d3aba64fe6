namespace EdgeServer.Config;

/// <summary>The default configuration embedded in the binary (config/edge.yaml in the repository).</summary>
internal static class DefaultConfig
{
    public const string SourceName = "<embedded>/edge.yaml";

    public static string Yaml
    {
        get
        {
            using var stream = typeof(DefaultConfig).Assembly.GetManifestResourceStream("EdgeServer.DefaultConfig.yaml")
                ?? throw new InvalidOperationException("default config resource missing from the build");
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
    }
}
