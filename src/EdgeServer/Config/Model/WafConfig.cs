namespace EdgeServer.Config.Model;

/// <summary>
/// The rule files a listener or route applies. Paths are resolved against the config file's directory.
/// Connection ACLs (listeners only) run at accept, before TLS, and may only use IP and geo statements.
/// </summary>
public sealed record WafFilesConfig
{
    public string? Connection { get; init; }
    public string? Request { get; init; }
    /// <summary>A candidate ACL evaluated beside <see cref="Request"/> on live traffic and never enforced.</summary>
    public string? Shadow { get; init; }
    public SourceMark Mark { get; init; }
    public SourceMark ConnectionMark { get; init; }
    public SourceMark RequestMark { get; init; }
    public SourceMark ShadowMark { get; init; }

    public IEnumerable<string> Files => new[] { Connection, Request, Shadow }.OfType<string>();
}

/// <summary>The geo database GeoMatch statements use, and where in its records the country code is.</summary>
public sealed record GeoConfig
{
    /// <summary>An MMDB file; null: no database, so GeoMatch never matches (and the config says so when a rule uses it).</summary>
    public string? Database { get; init; }
    /// <summary>"country.iso_code" for GeoIP2/GeoLite2 databases, "country_code" for flat ones.</summary>
    public string CountryPath { get; init; } = "country.iso_code";
    public SourceMark Mark { get; init; }
}
