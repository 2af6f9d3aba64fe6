namespace EdgeServer.Benchmarks.Geo;

/// <summary>
/// Where the shared geo data is: ../shared/geo beside the repository (override with EDGE_GEO_DATA). BenchmarkDotNet
/// runs each benchmark from a generated folder under bin/, so the search walks up from there.
/// </summary>
internal static class GeoBenchmarkData
{
    public static string CountryDatabase => Path.Combine(Root(), "country", "geo-whois-asn-country.mmdb");

    private static string Root()
    {
        if (Environment.GetEnvironmentVariable("EDGE_GEO_DATA") is { Length: > 0 } configured) return configured;
        foreach (string start in (string[])[AppContext.BaseDirectory, Directory.GetCurrentDirectory()])
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "shared", "geo");
                if (Directory.Exists(candidate)) return candidate;
            }
        }
        throw new DirectoryNotFoundException($"shared/geo not found above {AppContext.BaseDirectory}; set EDGE_GEO_DATA");
    }
}
