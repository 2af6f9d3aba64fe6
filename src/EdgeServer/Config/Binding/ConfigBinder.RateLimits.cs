using EdgeServer.Config.Model;
using EdgeServer.Config.Values;
using EdgeServer.Config.Yaml;
using YamlDotNet.RepresentationModel;

namespace EdgeServer.Config.Binding;

internal sealed partial class ConfigBinder
{
    private static readonly string[] RateLimitKeys = ["name", "key", "header", "prefixV4", "prefixV6", "rate", "burst", "dryRun", "global", "maxKeys"];
    private static readonly string[] ConnectionLimitKeys = ["maxPerIp", "newPerIp", "newPerIpBurst"];

    private RateLimitConfig? BindRateLimit(YamlMappingNode map)
    {
        var mark = reader.MarkOf(map);
        string? name = null;
        RateValue? rate = null;
        long? burst = null;
        var limit = new RateLimitConfig { Name = "", Rate = default, Burst = 0, Mark = mark };
        var ok = true;
        SourceMark nameMark = mark;
        foreach (var e in reader.Entries(map, "rate limit", RateLimitKeys))
        {
            switch (e.Key)
            {
                case "name": (nameMark, name) = (reader.MarkOf(e.Value), Name(e)); break;
                case "key": if (reader.Enum<RateLimitKeyKind>(e) is { } key) limit = limit with { Key = key }; else ok = false; break;
                case "header": if (HeaderName(e) is { } header) limit = limit with { Header = header }; else ok = false; break;
                case "prefixV4": if (reader.Int(e, min: 1, max: 32) is { } v4) limit = limit with { PrefixV4 = v4 }; else ok = false; break;
                case "prefixV6": if (reader.Int(e, min: 1, max: 128) is { } v6) limit = limit with { PrefixV6 = v6 }; else ok = false; break;
                case "rate": rate = Rate(e); ok &= rate is not null; break;
                case "burst": burst = reader.Int(e, min: 1); ok &= burst is not null; break;
                case "dryRun": limit = limit with { DryRun = reader.Bool(e) ?? limit.DryRun }; break;
                case "global": limit = limit with { Global = reader.Bool(e) ?? limit.Global }; break;
                case "maxKeys": if (reader.Int(e, min: 1, max: 100_000_000) is { } maxKeys) limit = limit with { MaxKeys = maxKeys }; else ok = false; break;
            }
        }
        if (name is not null) Marks.DeclaredRateLimits.Add(name);
        if (name is null && ok) { reader.Error(mark, "rate limit is missing 'name'"); ok = false; }
        if (rate is null && ok) { reader.Error(mark, $"rate limit '{name}' is missing 'rate': expected {RateText.Expected}"); ok = false; }
        if (limit.Key == RateLimitKeyKind.Header && limit.Header is null && ok)
        {
            reader.Error(mark, $"rate limit '{name}' counts by header: give the header's name in 'header'");
            ok = false;
        }
        if (limit.Key != RateLimitKeyKind.Header && limit.Header is not null && ok)
        {
            reader.Error(mark, $"rate limit '{name}': 'header' applies only to key: header (this limit counts by {limit.Key})");
            ok = false;
        }
        if (!ok) return null;
        Marks.RateLimitNames.Add(nameMark);
        // One period's worth by default: "100/s" lets a client send 100 at once, then 100 a second.
        return limit with { Name = name!, Rate = rate!.Value, Burst = burst ?? Math.Max(1, rate.Value.Count) };
    }

    private RateValue? Rate(YamlEntry e)
    {
        var text = reader.String(e, RateText.Expected);
        if (text is null) return null;
        if (RateText.TryParse(text, out var count, out var period)) return new RateValue(count, period);
        reader.Error(e.Value, $"'{e.Key}': expected {RateText.Expected}, got '{YamlNodeReader.Shorten(text)}'");
        return null;
    }

    private string? HeaderName(YamlEntry e)
    {
        var text = reader.NonEmptyString(e, "a header name");
        if (text is null) return null;
        if (HttpSyntax.IsToken(text)) return text;
        reader.Error(e.Value, $"'{e.Key}': expected a header name (an HTTP token), got '{YamlNodeReader.Shorten(text)}'");
        return null;
    }

    /// <summary>Names of rate limits a listener or route applies; checked against 'rateLimits' by the validator.</summary>
    private IReadOnlyList<string>? RateLimitReferences(YamlEntry e)
    {
        if (reader.Sequence(e.Value, $"'{e.Key}'") is not { } seq) return null;
        var names = new List<string>();
        foreach (var node in seq.Children)
        {
            if (reader.Scalar(node, $"each entry of '{e.Key}'", "a rate limit name") is not { } name) return null;
            if (names.Contains(name, StringComparer.Ordinal))
            {
                reader.Error(node, $"'{e.Key}': '{name}' is listed twice");
                return null;
            }
            names.Add(name);
            Marks.RateLimitReferences.Add((name, reader.MarkOf(node)));
        }
        return names;
    }

    private ConnectionLimitsConfig? BindConnectionLimits(YamlEntry section)
    {
        if (reader.Mapping(section.Value, "'connectionLimits'") is not { } map) return null;
        var limits = new ConnectionLimitsConfig { Mark = reader.MarkOf(map) };
        var ok = true;
        long? burst = null;
        foreach (var e in reader.Entries(map, "connectionLimits", ConnectionLimitKeys))
        {
            switch (e.Key)
            {
                case "maxPerIp": if (reader.Int(e, min: 1) is { } max) limits = limits with { MaxPerIp = max }; else ok = false; break;
                case "newPerIp": if (Rate(e) is { } rate) limits = limits with { NewPerIp = rate }; else ok = false; break;
                case "newPerIpBurst": burst = reader.Int(e, min: 1); ok &= burst is not null; break;
            }
        }
        if (!ok) return null;
        if (burst is not null && limits.NewPerIp is null)
        {
            reader.Error(limits.Mark, "'newPerIpBurst' needs 'newPerIp' (the rate it is a burst of)");
            return null;
        }
        return limits with { NewPerIpBurst = burst ?? Math.Max(1, limits.NewPerIp?.Count ?? 1) };
    }
}
