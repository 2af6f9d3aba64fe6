using EdgeServer.Config.Model;
using EdgeServer.Config.Values;
using EdgeServer.Config.Yaml;
using EdgeServer.Waf.Compiler;
using YamlDotNet.RepresentationModel;

namespace EdgeServer.Config.Binding;

internal sealed partial class ConfigBinder
{
    private static readonly string[] ListenerWafKeys = ["connection", "request", "shadow"];
    private static readonly string[] RouteWafKeys = ["request", "shadow"];
    private static readonly string[] GeoKeys = ["database", "countryPath"];

    /// <summary>Rule files compiled during this load, by path: one file named by many routes is compiled once.</summary>
    private readonly Dictionary<string, WafCompileResult> _wafFiles = new(StringComparer.Ordinal);

    /// <summary>ACL names and their files: metrics are labelled by ACL name, so two files must not share one.</summary>
    private readonly Dictionary<string, string> _aclNames = new(StringComparer.Ordinal);

    /// <summary>Rule files that use GeoMatch, and where the config names them (checked against 'geo' once it is bound).</summary>
    public List<(string File, SourceMark Mark)> GeoRuleFiles { get; } = [];

    private WafFilesConfig? BindWaf(YamlEntry section, bool listener)
    {
        if (reader.Mapping(section.Value, "'waf'") is not { } map) return null;
        var waf = new WafFilesConfig { Mark = reader.MarkOf(map) };
        var ok = true;
        foreach (var e in reader.Entries(map, "waf", listener ? ListenerWafKeys : RouteWafKeys))
        {
            var text = reader.NonEmptyString(e, "a rule file path");
            if (text is null) { ok = false; continue; }
            var path = ConfigPath.Resolve(reader.File, text);
            var mark = reader.MarkOf(e.Value);
            ok &= CompileRuleFile(path, mark, connectionLevel: e.Key == "connection");
            waf = e.Key switch
            {
                "connection" => waf with { Connection = path, ConnectionMark = mark },
                "request" => waf with { Request = path, RequestMark = mark },
                _ => waf with { Shadow = path, ShadowMark = mark },
            };
        }
        if (waf.Shadow is not null && waf.Request is null)
        {
            reader.Error(waf.Mark, "'shadow' is compared with 'request': give the active rule file too");
            ok = false;
        }
        return ok ? waf : null;
    }

    /// <summary>Compiles now so `edge validate` and reloads refuse a bad rule file; errors carry the rule file's own positions.</summary>
    private bool CompileRuleFile(string path, SourceMark namedAt, bool connectionLevel)
    {
        if (!_wafFiles.TryGetValue(path, out var result))
        {
            result = WafCompiler.CompileFile(path, new WafCounterRegistry(), DateTimeOffset.UtcNow);
            _wafFiles[path] = result;
            foreach (var error in result.Errors)
            {
                // A missing file is reported where the config names it; problems inside it, where they are.
                if (error.Mark.Line == 1 && error.Mark.Column == 1 && error.Mark.File == path && !System.IO.File.Exists(path)) reader.Error(namedAt, $"{path}: {error.Message}");
                else reader.Error(error.Mark, error.Message);
            }
        }
        if (result.UsesGeo) GeoRuleFiles.Add((path, namedAt));
        if (!result.Ok) return false;
        if (_aclNames.TryGetValue(result.Acl!.Name, out var other) && other != path)
        {
            reader.Error(namedAt, $"{path}: web ACL name '{result.Acl.Name}' is also the name of {other}; metrics and logs are labelled by ACL name, so give each rule file its own 'Name'");
            return false;
        }
        _aclNames[result.Acl.Name] = path;
        if (connectionLevel && !result.Acl!.IsConnectionLevel)
        {
            var rules = result.Acl.Rules.Where(r => !r.Statement.IsConnectionLevel).Select(r => r.Name);
            reader.Error(namedAt, $"{path}: a connection ACL runs before any request is read, so it takes only IPSet and GeoMatch statements without forwarded-IP configs; these rules need a request: {string.Join(", ", rules)}");
            return false;
        }
        return true;
    }

    private GeoConfig BindGeo(YamlEntry section)
    {
        var geo = new GeoConfig { Mark = reader.MarkOf(section.Value) };
        if (reader.Mapping(section.Value, "'geo'") is not { } map) return geo;
        foreach (var e in reader.Entries(map, "geo", GeoKeys))
        {
            switch (e.Key)
            {
                case "database":
                    if (reader.NonEmptyString(e, "an MMDB file path") is not { } text) break;
                    var path = ConfigPath.Resolve(reader.File, text);
                    if (!System.IO.File.Exists(path)) reader.Error(e.Value, $"geo database not found: {path}");
                    else if (Waf.GeoDatabaseProbe.Problem(path) is { } problem) reader.Error(e.Value, $"{path}: {problem}");
                    geo = geo with { Database = path };
                    break;
                case "countryPath":
                    if (reader.NonEmptyString(e, "a record path such as country.iso_code") is { } countryPath) geo = geo with { CountryPath = countryPath };
                    break;
            }
        }
        return geo;
    }
}
