namespace EdgeServer.Geo.Tests;

/// <summary>Where the shared geo data lives: ../shared/geo beside the repository (override with EDGE_GEO_DATA).</summary>
internal static class GeoTestData
{
    public static string Root { get; } = FindRoot();

    public static string MaxMindTest(string name) => Path.Combine(Root, "maxmind-test", name);

    public static string BadData => Path.Combine(Root, "maxmind-test", "bad-data");

    /// <summary>The real country database (IPv4 and IPv6, flat <c>country_code</c> records, 24-bit, 1.3M nodes).</summary>
    public static string Country => Path.Combine(Root, "country", "geo-whois-asn-country.mmdb");

    public static string CountryIPv4 => Path.Combine(Root, "country", "geo-whois-asn-country-ipv4.mmdb");

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
