using System.Text;
using EdgeServer.Config.Values;
using EdgeServer.Config.Yaml;
using EdgeServer.Policy.RateLimiting;
using EdgeServer.Policy.Waf.RateBased;
using EdgeServer.Policy.Waf.Statements;
using EdgeServer.Policy.Waf.Transforms;
using YamlDotNet.RepresentationModel;

namespace EdgeServer.Waf.Compiler;

/// <summary>
/// RateBasedStatement: AWS WAF's shape (Limit, EvaluationWindowSec, AggregateKeyType, ForwardedIPConfig, CustomKeys,
/// ScopeDownStatement) plus our MaxKeys, compiled onto a <see cref="KeyedRateLimiter"/> that an unchanged rule keeps
/// across reloads.
/// </summary>
internal sealed partial class WafCompiler
{
    /// <summary>AWS WAF's default evaluation window.</summary>
    public const int DefaultEvaluationWindowSeconds = 300;

    /// <summary>
    /// AWS WAF takes 60, 120, 300 or 600; any whole number of seconds up to an hour works here (a GCRA window is only a
    /// rate and a burst, so nothing is gained by restricting it).
    /// </summary>
    public const int MaxEvaluationWindowSeconds = 3600;

    /// <summary>AWS WAF's upper bound on Limit. Its lower bound (10) is not kept: "5 login attempts a minute" is a common rule.</summary>
    public const int MaxRateLimit = 2_000_000_000;

    /// <summary>
    /// Keys one rule tracks at once unless MaxKeys says otherwise: AWS WAF's documented 10,000 aggregation instances.
    /// The table takes 512 KiB; past the cap, untracked keys share one overflow bucket (see <see cref="KeyedRateLimiter"/>).
    /// </summary>
    public const int DefaultRateKeys = 10_000;

    private static readonly string[] RateBasedKeys = ["Limit", "EvaluationWindowSec", "AggregateKeyType", "ForwardedIPConfig", "CustomKeys", "ScopeDownStatement", "MaxKeys"];
    private static readonly string[] AggregateKeyTypes = ["IP", "FORWARDED_IP", "CONSTANT", "CUSTOM_KEYS"];
    private static readonly string[] CustomKeyKinds = ["Header", "Cookie", "QueryArgument", "QueryString", "UriPath", "HTTPMethod", "IP", "ForwardedIP", "LabelNamespace"];

    /// <summary>Which rule a top-level statement belongs to: a rate-based statement's limiter is kept by ACL and rule name.</summary>
    private sealed record RuleScope(string Acl, string Rule);

    private WafStatement? ReadRateBased(YamlMappingNode body, RuleScope rule)
    {
        int? limit = null;
        var window = DefaultEvaluationWindowSeconds;
        var maxKeys = DefaultRateKeys;
        string? keyType = null;
        ForwardedIpConfig? forwarded = null;
        YamlEntry? forwardedEntry = null, customEntry = null;
        WafStatement? scopeDown = null;
        var ok = true;
        var entries = _reader.Entries(body, "'RateBasedStatement'", RateBasedKeys);
        foreach (var e in entries)
        {
            switch (e.Key)
            {
                case "Limit": limit = _reader.Int(e, min: 1, max: MaxRateLimit); ok &= limit is not null; break;
                case "EvaluationWindowSec":
                    if (_reader.Int(e, min: 1, max: MaxEvaluationWindowSeconds) is { } w) window = w; else ok = false;
                    break;
                case "MaxKeys":
                    if (_reader.Int(e, min: 1, max: RateLimitDefinition.MaxKeysLimit) is { } m) maxKeys = m; else ok = false;
                    break;
                case "AggregateKeyType":
                    keyType = _reader.String(e, "IP, FORWARDED_IP, CONSTANT or CUSTOM_KEYS");
                    if (keyType is not null && Array.IndexOf(AggregateKeyTypes, keyType) < 0)
                    {
                        var suggestion = KeySuggestion.Closest(keyType, AggregateKeyTypes);
                        _reader.Error(e.Value, $"'AggregateKeyType': expected IP, FORWARDED_IP, CONSTANT or CUSTOM_KEYS, got '{YamlNodeReader.Shorten(keyType)}'" +
                            (suggestion is null ? "" : $" (did you mean '{suggestion}'?)"));
                        keyType = null;
                    }
                    ok &= keyType is not null;
                    break;
                case "ForwardedIPConfig":
                    forwardedEntry = e;
                    forwarded = ReadForwarded(e, positions: false);
                    ok &= forwarded is not null;
                    break;
                case "CustomKeys": customEntry = e; break;
                case "ScopeDownStatement":
                    scopeDown = ReadStatement(e.Value, "ScopeDownStatement");
                    ok &= scopeDown is not null;
                    break;
            }
        }
        if (!entries.Any(e => e.Key == "Limit")) { _reader.Error(body, "'RateBasedStatement' needs 'Limit': the requests one key may send per evaluation window"); ok = false; }
        if (!entries.Any(e => e.Key == "AggregateKeyType")) { _reader.Error(body, "'RateBasedStatement' needs 'AggregateKeyType': IP, FORWARDED_IP, CONSTANT or CUSTOM_KEYS"); ok = false; }
        if (!ok || limit is null || keyType is null) return null;

        var key = ReadAggregateKey(body, keyType, forwarded, forwardedEntry, customEntry);
        if (key is null) return null;
        // One counter needs no table of 10,000.
        if (key.Type == RateAggregateKeyType.Constant && !entries.Any(e => e.Key == "MaxKeys")) maxKeys = 1;
        var definition = new RateLimitDefinition(rule.Rule, limit.Value, TimeSpan.FromSeconds(window), limit.Value, maxKeys);
        if (definition.Validate(_clock.TimestampFrequency) is { } problem) { _reader.Error(body, problem); return null; }
        return new RateBasedStatement(RateLimiterFor(rule, definition, key, scopeDown), key, scopeDown);
    }

    /// <summary>The key, with ForwardedIPConfig given exactly when something uses it and CustomKeys exactly with CUSTOM_KEYS.</summary>
    private RateAggregateKey? ReadAggregateKey(YamlMappingNode body, string keyType, ForwardedIpConfig? forwarded, YamlEntry? forwardedEntry, YamlEntry? customEntry)
    {
        if (keyType != "CUSTOM_KEYS" && customEntry is { } stray)
        {
            _reader.Error(stray.KeyNode, $"'CustomKeys' applies only with AggregateKeyType CUSTOM_KEYS, not {keyType}");
            return null;
        }
        RateAggregateKey? key;
        bool usesForwarded;
        switch (keyType)
        {
            case "IP": (key, usesForwarded) = (RateAggregateKey.Ip, false); break;
            case "CONSTANT": (key, usesForwarded) = (RateAggregateKey.Constant, false); break;
            case "FORWARDED_IP":
                if (forwarded is null)
                {
                    _reader.Error(body, "AggregateKeyType FORWARDED_IP needs 'ForwardedIPConfig' (HeaderName, FallbackBehavior and, ours, TrustedProxies)");
                    return null;
                }
                (key, usesForwarded) = (RateAggregateKey.ForwardedIp(forwarded), true);
                break;
            default:
                if (customEntry is not { } custom)
                {
                    _reader.Error(body, $"AggregateKeyType CUSTOM_KEYS needs 'CustomKeys': 1 to {RateAggregateKey.MaxCustomKeys} of {string.Join(", ", CustomKeyKinds)}");
                    return null;
                }
                var components = ReadCustomKeys(custom, forwarded, body);
                if (components is null) return null;
                key = RateAggregateKey.Custom(components);
                usesForwarded = components.Any(c => c is ForwardedIpKeyComponent);
                break;
        }
        if (!usesForwarded && forwardedEntry is { } unused)
        {
            _reader.Error(unused.KeyNode, "'ForwardedIPConfig' is used only by AggregateKeyType FORWARDED_IP or a ForwardedIP custom key; this statement has neither");
            return null;
        }
        return key;
    }

    private RateKeyComponent[]? ReadCustomKeys(YamlEntry section, ForwardedIpConfig? forwarded, YamlMappingNode statement)
    {
        if (_reader.Sequence(section.Value, "'CustomKeys'") is not { } seq) return null;
        if (seq.Children.Count == 0)
        {
            _reader.Error(section.Value, $"'CustomKeys' is empty: CUSTOM_KEYS needs 1 to {RateAggregateKey.MaxCustomKeys} keys (use CONSTANT to count every request together)");
            return null;
        }
        if (seq.Children.Count > RateAggregateKey.MaxCustomKeys)
        {
            _reader.Error(seq.Children[RateAggregateKey.MaxCustomKeys], $"'CustomKeys' takes at most {RateAggregateKey.MaxCustomKeys} keys (AWS WAF's limit), got {seq.Children.Count}");
            return null;
        }
        var components = new List<RateKeyComponent>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var ok = true;
        foreach (var node in seq.Children)
        {
            var component = ReadCustomKey(node, forwarded, statement);
            if (component is null) { ok = false; continue; }
            var text = component.Describe();
            if (!seen.TryAdd(text, _reader.MarkOf(node).Line))
            {
                _reader.Error(node, $"duplicate custom key {text} (first at line {seen[text]}): it would add nothing to the key");
                ok = false;
                continue;
            }
            components.Add(component);
        }
        if (ok && components.Any(c => c is IpKeyComponent) && components.Any(c => c is ForwardedIpKeyComponent))
        {
            _reader.Error(section.Value, "'CustomKeys' takes IP or ForwardedIP, not both (AWS WAF's rule): the client is one or the other");
            return null;
        }
        return ok ? [.. components] : null;
    }

    private RateKeyComponent? ReadCustomKey(YamlNode node, ForwardedIpConfig? forwarded, YamlMappingNode statement)
    {
        if (_reader.Mapping(node, "each custom key") is not { } map) return null;
        var entries = _reader.Entries(map, "custom key", CustomKeyKinds);
        if (entries.Count != 1)
        {
            if (entries.Count == map.Children.Count) _reader.Error(node, $"each custom key is exactly one of {string.Join(", ", CustomKeyKinds)}");
            return null;
        }
        var e = entries[0];
        var settings = e.Value as YamlMappingNode;
        if (settings is null && !(e.Value is YamlScalarNode s && YamlNodeReader.IsNull(s)))
        {
            _reader.Error(e.Value, $"'{e.Key}': expected a mapping ({{}} when it has no settings)");
            return null;
        }
        settings ??= new YamlMappingNode();
        switch (e.Key)
        {
            case "Header":
            case "Cookie":
            case "QueryArgument":
            {
                var (name, transformations) = ReadNamedKey(settings, e.Key, "Name");
                if (name is null || transformations is null) return null;
                if (e.Key == "Header" && !HttpSyntax.IsToken(name)) { _reader.Error(settings, $"'{e.Key}': '{YamlNodeReader.Shorten(name)}' is not a header name"); return null; }
                return e.Key switch
                {
                    "Header" => new HeaderKeyComponent(name, transformations),
                    "Cookie" => new CookieKeyComponent(name, transformations),
                    _ => new QueryArgumentKeyComponent(name, transformations),
                };
            }
            case "QueryString":
            case "UriPath":
            {
                var (_, transformations) = ReadNamedKey(settings, e.Key, null);
                if (transformations is null) return null;
                return e.Key == "UriPath" ? new UriPathKeyComponent(transformations) : new QueryStringKeyComponent(transformations);
            }
            case "HTTPMethod":
                _reader.Entries(settings, "'HTTPMethod'", []);
                return new HttpMethodKeyComponent();
            case "IP":
                _reader.Entries(settings, "'IP'", []);
                return new IpKeyComponent();
            case "ForwardedIP":
                _reader.Entries(settings, "'ForwardedIP'", []);
                if (forwarded is null)
                {
                    _reader.Error(e.KeyNode, "custom key ForwardedIP needs the statement's 'ForwardedIPConfig' (HeaderName, FallbackBehavior and, ours, TrustedProxies)");
                    return null;
                }
                return new ForwardedIpKeyComponent(forwarded);
            default:
                return ReadLabelNamespaceKey(settings);
        }
    }

    /// <summary>{ Name, TextTransformations } (Header, Cookie, QueryArgument) or { TextTransformations } (QueryString, UriPath).</summary>
    private (string? Name, TextTransformationType[]? Transformations) ReadNamedKey(YamlMappingNode settings, string kind, string? nameKey)
    {
        string? name = null;
        TextTransformationType[]? transformations = [];
        foreach (var e in _reader.Entries(settings, $"'{kind}'", nameKey is null ? ["TextTransformations"] : [nameKey, "TextTransformations"]))
        {
            if (e.Key == "TextTransformations") transformations = ReadTransformations(e);
            else name = _reader.NonEmptyString(e, "a name");
        }
        if (nameKey is not null && name is null && !settings.Children.Any(c => c.Key is YamlScalarNode { Value: "Name" }))
            _reader.Error(settings, $"'{kind}' needs 'Name'");
        return (name, transformations);
    }

    private RateKeyComponent? ReadLabelNamespaceKey(YamlMappingNode settings)
    {
        string? ns = null;
        foreach (var e in _reader.Entries(settings, "'LabelNamespace'", ["Namespace"])) ns = _reader.NonEmptyString(e, "a label namespace ending in ':'");
        if (ns is null)
        {
            if (!settings.Children.Any()) _reader.Error(settings, "'LabelNamespace' needs 'Namespace'");
            return null;
        }
        if (!ns.EndsWith(':')) { _reader.Error(settings, $"namespace '{YamlNodeReader.Shorten(ns)}' must end with ':'"); return null; }
        var ids = _labels.InNamespace(ns);
        if (ids.Length == 0) _notices.Add($"{_reader.MarkOf(settings)}: no rule adds a label under '{ns}'; this rate-based rule never counts a request");
        return new LabelNamespaceKeyComponent(ns, [.. ids.Select(id => (id, Encoding.ASCII.GetBytes(_labels.Name(id))))]);
    }

    /// <summary>
    /// The running ACL's limiter when this rule is unchanged (same ACL and rule name, same definition), so a reload
    /// leaves every client's count where it was; a new limiter otherwise.
    /// </summary>
    private KeyedRateLimiter RateLimiterFor(RuleScope rule, RateLimitDefinition definition, RateAggregateKey key, WafStatement? scopeDown)
    {
        if (_previous is { } previous && previous.Name == rule.Acl &&
            previous.Rules.FirstOrDefault(r => r.Name == rule.Rule)?.Statement is RateBasedStatement old &&
            RateBasedStatement.CanCarryOver(old, definition, key, scopeDown, _clock))
        {
            _limitersCarriedOver++;
            return old.Limiter;
        }
        return new KeyedRateLimiter(definition, _clock);
    }
}
