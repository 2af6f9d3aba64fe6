using EdgeServer.Config.Model;
using EdgeServer.Config.Values;
using EdgeServer.Config.Yaml;
using EdgeServer.Policy.IpSets;
using EdgeServer.Policy.Waf.Statements;
using YamlDotNet.RepresentationModel;

namespace EdgeServer.Waf.Compiler;

internal sealed partial class WafCompiler
{
    /// <summary>IP sets by resolved path: a file several rules name is read and built once per compile.</summary>
    private readonly Dictionary<string, IpSet?> _ipSets = new(StringComparer.Ordinal);

    /// <summary>{ File: path } (one CIDR per line) or { Addresses: [..] } inline, plus an optional forwarded-IP config.</summary>
    private WafStatement? ReadIpSet(YamlMappingNode body)
    {
        IpSet? set = null;
        string? source = null;
        ForwardedIpConfig? forwarded = null;
        var ok = true;
        foreach (var e in _reader.Entries(body, "'IPSetReferenceStatement'", ["File", "Addresses", "IPSetForwardedIPConfig"]))
        {
            switch (e.Key)
            {
                case "File":
                    if (_reader.NonEmptyString(e, "an IP set file path") is not { } path) { ok = false; break; }
                    source = ConfigPath.Resolve(_reader.File, path);
                    set = LoadIpSetFile(source, _reader.MarkOf(e.Value));
                    ok &= set is not null;
                    break;
                case "Addresses":
                    source = $"inline at line {_reader.MarkOf(e.Value).Line}";
                    set = InlineSet(e);
                    ok &= set is not null;
                    break;
                case "IPSetForwardedIPConfig":
                    forwarded = ReadForwarded(e, positions: true);
                    ok &= forwarded is not null;
                    break;
            }
        }
        if (source is null) { _reader.Error(body, "'IPSetReferenceStatement' needs 'File' (one CIDR per line) or 'Addresses'"); return null; }
        if (!ok || set is null) return null;
        return new IpSetStatement(source, set.Ranges, set.Contains, forwarded);
    }

    private IpSet? LoadIpSetFile(string path, SourceMark namedAt)
    {
        if (_ipSets.TryGetValue(path, out var cached)) return cached;
        if (!File.Exists(path))
        {
            _reader.Error(namedAt, $"IP set file not found: {path}");
            _ipSets[path] = null;
            return null;
        }
        _files.Add(path);
        var result = IpSetFile.Load(path);
        foreach (var error in result.Errors) _reader.Error(new SourceMark(error.File, error.Line, error.Column), error.Message);
        _ipSets[path] = result.Set;
        return result.Set;
    }

    private IpSet? InlineSet(YamlEntry e)
    {
        if (_reader.Sequence(e.Value, $"'{e.Key}'") is not { } seq) return null;
        var builder = new IpSetBuilder();
        var ok = true;
        foreach (var node in seq.Children)
        {
            var text = _reader.Scalar(node, "each address", "an address or CIDR such as 10.0.0.0/8");
            if (text is null) { ok = false; continue; }
            if (!IpPrefix.TryParse(text.Trim(), out var prefix, out var error))
            {
                _reader.Error(node, $"'{YamlNodeReader.Shorten(text)}': {error.Message}");
                ok = false;
                continue;
            }
            builder.Add(prefix);
        }
        return ok ? builder.Build() : null;
    }

    /// <summary>ForwardedIPConfig (GeoMatch) / IPSetForwardedIPConfig (with Position), plus our TrustedProxies.</summary>
    private ForwardedIpConfig? ReadForwarded(YamlEntry section, bool positions)
    {
        if (_reader.Mapping(section.Value, $"'{section.Key}'") is not { } map) return null;
        string[] keys = positions ? ["HeaderName", "FallbackBehavior", "Position", "TrustedProxies"] : ["HeaderName", "FallbackBehavior", "TrustedProxies"];
        string? header = null;
        bool? fallback = null;
        var position = ForwardedIpPosition.First;
        IpSet? trusted = null;
        foreach (var e in _reader.Entries(map, $"'{section.Key}'", keys))
        {
            switch (e.Key)
            {
                case "HeaderName":
                    header = _reader.NonEmptyString(e, "a header name such as X-Forwarded-For");
                    if (header is not null && !HttpSyntax.IsToken(header)) { _reader.Error(e.Value, $"'HeaderName': '{header}' is not a header name"); return null; }
                    break;
                case "FallbackBehavior":
                    var behavior = _reader.String(e, "MATCH or NO_MATCH");
                    if (behavior is "MATCH" or "NO_MATCH") fallback = behavior == "MATCH";
                    else { _reader.Error(e.Value, $"'FallbackBehavior': expected MATCH or NO_MATCH, got '{behavior}'"); return null; }
                    break;
                case "Position":
                    if (!TryEnumValue(e, "FIRST, LAST or ANY", out position)) return null;
                    break;
                case "TrustedProxies":
                    trusted = InlineSet(e);
                    if (trusted is null) return null;
                    break;
            }
        }
        if (header is null || fallback is null)
        {
            _reader.Error(section.Value, $"'{section.Key}' needs 'HeaderName' and 'FallbackBehavior' (MATCH or NO_MATCH)");
            return null;
        }
        return new ForwardedIpConfig(header, fallback.Value, position, trusted is null ? null : trusted.Contains);
    }
}
