namespace EdgeServer.EndToEnd.Tests.Infrastructure;

/// <summary>The shared geo test data (../shared/geo beside the repository; override with EDGE_GEO_DATA).</summary>
internal static class GeoData
{
    public static string Root { get; } = FindRoot();

    public static string MaxMindTest(string name) => Path.Combine(Root, "maxmind-test", name);

    private static string FindRoot()
    {
        if (Environment.GetEnvironmentVariable("EDGE_GEO_DATA") is { Length: > 0 } configured) return configured;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "geo");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException($"shared/geo not found above {AppContext.BaseDirectory}; set EDGE_GEO_DATA");
    }
}
