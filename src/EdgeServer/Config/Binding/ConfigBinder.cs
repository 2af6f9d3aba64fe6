using EdgeServer.Config.Model;
using EdgeServer.Config.Yaml;
using YamlDotNet.RepresentationModel;

namespace EdgeServer.Config.Binding;

/// <summary>
/// YAML representation model to <see cref="EdgeConfig"/>, one section per partial file. Each value is checked where
/// it is read (its node gives the position); checks that span sections are in <see cref="ConfigValidator"/>.
/// Records are built with <c>with</c> from their defaults, so a key left out keeps the model's documented default.
/// </summary>
internal sealed partial class ConfigBinder(YamlNodeReader reader)
{
    private static readonly string[] RootKeys = ["listeners", "admin", "limits", "routes", "clusters", "accessLog", "echoBackend", "geo", "rateLimits", "redis", "apiKeys", "usagePlans"];

    /// <summary>Names show up in logs and metric labels, so they are kept to a safe, unquoted alphabet.</summary>
    private const string NameExpected = "a name of letters, digits, '-', '_' and '.'";

    public ConfigMarks Marks { get; } = new();

    public EdgeConfig Bind(YamlMappingNode root)
    {
        var config = new EdgeConfig
        {
            SourceFile = reader.File,
            Listeners = [],
            Admin = new AdminConfig(),
            Limits = new LimitsConfig(),
            Routes = [],
            Clusters = [],
            AccessLog = new AccessLogConfig(),
            EchoBackend = new EchoBackendConfig(),
        };
        Marks.Root = reader.MarkOf(root);
        Marks.AdminAddress = Marks.EchoBackendAddress = Marks.Root;
        bool sawListeners = false, redisBroken = false;
        foreach (var e in reader.Entries(root, "the top level", RootKeys))
        {
            switch (e.Key)
            {
                case "listeners":
                    sawListeners = true;
                    config = config with { Listeners = BindList(e, "listener", BindListener) };
                    if (e.Value is YamlSequenceNode { Children.Count: 0 })
                        reader.Error(e.Value, "'listeners': expected at least one listener (name and address), got an empty list");
                    break;
                case "admin": config = config with { Admin = BindAdmin(e) }; break;
                case "limits": config = config with { Limits = BindLimits(e) }; break;
                case "routes": config = config with { Routes = BindList(e, "route", BindRoute) }; break;
                case "clusters": config = config with { Clusters = BindList(e, "cluster", BindCluster) }; break;
                case "accessLog": config = config with { AccessLog = BindAccessLog(e) }; break;
                case "echoBackend": config = config with { EchoBackend = BindEchoBackend(e) }; break;
                case "geo": config = config with { Geo = BindGeo(e) }; break;
                case "rateLimits": config = config with { RateLimits = BindList(e, "rate limit", BindRateLimit) }; break;
                case "apiKeys": config = config with { ApiKeys = BindApiKeys(e) }; Marks.ApiKeysBroken = config.ApiKeys is null; break;
                case "usagePlans": config = config with { UsagePlans = BindList(e, "usage plan", BindUsagePlan) }; break;
                case "redis": config = config with { Redis = BindRedis(e) }; redisBroken = config.Redis is null; break;
            }
        }
        Marks.RedisBroken = redisBroken;
        if (!sawListeners)
            reader.Error(Marks.Root, "missing 'listeners': expected a list with at least one listener (name and address)");
        if (config.Geo.Database is null)
        {
            foreach (var (file, mark) in GeoRuleFiles)
                reader.Error(mark, $"{file} uses GeoMatch, but no geo database is configured: set geo.database to an MMDB file");
        }
        return config;
    }

    private List<T> BindList<T>(YamlEntry e, string itemName, Func<YamlMappingNode, T?> bindItem) where T : class
    {
        var items = new List<T>();
        if (reader.Sequence(e.Value, $"'{e.Key}'") is not { } seq) return items;
        foreach (var node in seq.Children)
        {
            if (reader.Mapping(node, $"each entry of '{e.Key}' ({itemName})") is { } map && bindItem(map) is { } item)
                items.Add(item);
        }
        return items;
    }

    private string? Name(YamlEntry e)
    {
        var name = reader.NonEmptyString(e, NameExpected);
        if (name is null) return null;
        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.'))
            {
                reader.Error(e.Value, $"'{e.Key}': expected {NameExpected}, got '{YamlNodeReader.Shorten(name)}'");
                return null;
            }
        }
        return name;
    }

    private AdminConfig BindAdmin(YamlEntry section)
    {
        var admin = new AdminConfig();
        if (reader.Mapping(section.Value, "'admin'") is not { } map) return admin;
        Marks.AdminAddress = reader.MarkOf(map);
        foreach (var e in reader.Entries(map, "admin", ["enabled", "address", "allowPublic"]))
        {
            switch (e.Key)
            {
                case "enabled": if (reader.Bool(e) is { } enabled) admin = admin with { Enabled = enabled }; break;
                case "allowPublic": if (reader.Bool(e) is { } allow) admin = admin with { AllowPublic = allow }; break;
                case "address":
                    Marks.AdminAddress = reader.MarkOf(e.Value);
                    if (reader.ListenAddress(e) is { } address) admin = admin with { Address = address };
                    break;
            }
        }
        return admin;
    }

    private AccessLogConfig BindAccessLog(YamlEntry section)
    {
        var log = new AccessLogConfig();
        if (reader.Mapping(section.Value, "'accessLog'") is not { } map) return log;
        foreach (var e in reader.Entries(map, "accessLog", ["enabled", "path"]))
        {
            switch (e.Key)
            {
                case "enabled": if (reader.Bool(e) is { } enabled) log = log with { Enabled = enabled }; break;
                case "path": if (reader.NonEmptyString(e, "\"stdout\" or a file path") is { } path) log = log with { Path = path }; break;
            }
        }
        return log;
    }

    private EchoBackendConfig BindEchoBackend(YamlEntry section)
    {
        var echo = new EchoBackendConfig();
        if (reader.Mapping(section.Value, "'echoBackend'") is not { } map) return echo;
        Marks.EchoBackendAddress = reader.MarkOf(map);
        foreach (var e in reader.Entries(map, "echoBackend", ["enabled", "address"]))
        {
            switch (e.Key)
            {
                case "enabled": if (reader.Bool(e) is { } enabled) echo = echo with { Enabled = enabled }; break;
                case "address":
                    Marks.EchoBackendAddress = reader.MarkOf(e.Value);
                    if (reader.ListenAddress(e) is { } address) echo = echo with { Address = address };
                    break;
            }
        }
        return echo;
    }
}
