using System.Globalization;
using System.Text;
using EdgeServer.Config.Values;
using EdgeServer.Config.Yaml;
using EdgeServer.Policy.Waf;
using YamlDotNet.RepresentationModel;

namespace EdgeServer.Waf.Compiler;

internal sealed partial class WafCompiler
{
    private sealed record BlockBody(string ContentType, byte[] Content);

    private static readonly Dictionary<string, string> s_contentTypes = new(StringComparer.Ordinal)
    {
        ["APPLICATION_JSON"] = "application/json",
        ["TEXT_HTML"] = "text/html; charset=utf-8",
        ["TEXT_PLAIN"] = "text/plain; charset=utf-8",
    };

    private void ReadCustomBodies(YamlEntry section)
    {
        if (_reader.Mapping(section.Value, "'CustomResponseBodies'") is not { } map) return;
        foreach (var (keyNode, valueNode) in map.Children)
        {
            var key = _reader.Scalar(keyNode, "custom response body key", "a key name");
            if (key is null || _reader.Mapping(valueNode, $"custom response body '{key}'") is not { } body) continue;
            string? contentType = null, content = null;
            foreach (var e in _reader.Entries(body, $"custom response body '{key}'", ["ContentType", "Content"]))
            {
                if (e.Key == "Content") content = _reader.String(e);
                else if (_reader.String(e, "APPLICATION_JSON, TEXT_HTML or TEXT_PLAIN") is { } type)
                {
                    if (s_contentTypes.TryGetValue(type, out var mime)) contentType = mime;
                    else _reader.Error(e.Value, $"'ContentType': expected APPLICATION_JSON, TEXT_HTML or TEXT_PLAIN, got '{YamlNodeReader.Shorten(type)}'");
                }
            }
            if (contentType is null || content is null)
            {
                _reader.Error(valueNode, $"custom response body '{key}' needs 'ContentType' and 'Content'");
                continue;
            }
            _bodies[key] = new BlockBody(contentType, Encoding.UTF8.GetBytes(content));
        }
    }

    /// <summary>{ Allow: {} }, { Block: { CustomResponse: ... } } or { Count: {} }.</summary>
    private WafAction? ReadAction(YamlEntry section, bool allowCount)
    {
        var kinds = allowCount ? new[] { "Allow", "Block", "Count" } : ["Allow", "Block"];
        if (_reader.Mapping(section.Value, $"'{section.Key}'") is not { } map) return null;
        var entries = _reader.Entries(map, $"'{section.Key}'", kinds);
        if (entries.Count != 1)
        {
            if (map.Children.Count == entries.Count)
                _reader.Error(section.Value, $"'{section.Key}': expected exactly one of {string.Join(", ", kinds)}");
            return null;
        }
        var e = entries[0];
        switch (e.Key)
        {
            case "Allow": return WafAction.Allow;
            case "Count": return WafAction.Count;
        }
        if (e.Value is YamlScalarNode scalar && YamlNodeReader.IsNull(scalar)) return WafAction.Block;
        if (_reader.Mapping(e.Value, "'Block'") is not { } block) return null;
        var response = BlockResponse.Default;
        foreach (var b in _reader.Entries(block, "'Block'", ["CustomResponse"]))
        {
            response = ReadCustomResponse(b);
            if (response is null) return null;
        }
        return new WafAction(WafActionKind.Block, response);
    }

    private BlockResponse? ReadCustomResponse(YamlEntry section)
    {
        if (_reader.Mapping(section.Value, "'CustomResponse'") is not { } map) return null;
        var status = 403;
        BlockBody? body = null;
        var headers = new List<KeyValuePair<string, string>>();
        var ok = true;
        foreach (var e in _reader.Entries(map, "'CustomResponse'", ["ResponseCode", "CustomResponseBodyKey", "ResponseHeaders"]))
        {
            switch (e.Key)
            {
                case "ResponseCode":
                    if (_reader.Int(e, min: 200, max: 599) is { } code) status = code; else ok = false;
                    break;
                case "CustomResponseBodyKey":
                    if (_reader.String(e) is { } key)
                    {
                        if (_bodies.TryGetValue(key, out var found)) body = found;
                        else
                        {
                            var suggestion = KeySuggestion.Closest(key, _bodies.Keys);
                            _reader.Error(e.Value, $"unknown custom response body '{key}'{(suggestion is null ? "" : $" (did you mean '{suggestion}'?)")}; define it under CustomResponseBodies");
                            ok = false;
                        }
                    }
                    break;
                case "ResponseHeaders":
                    if (_reader.Sequence(e.Value, "'ResponseHeaders'") is not { } seq) { ok = false; break; }
                    foreach (var node in seq.Children)
                    {
                        if (_reader.Mapping(node, "each response header") is not { } header) { ok = false; continue; }
                        string? name = null, value = null;
                        foreach (var h in _reader.Entries(header, "response header", ["Name", "Value"]))
                        {
                            if (h.Key == "Name") name = _reader.String(h); else value = _reader.String(h);
                        }
                        if (name is null || value is null || !HttpSyntax.IsToken(name) || !HttpSyntax.IsFieldValue(value))
                        {
                            _reader.Error(node, "response header needs a 'Name' (a header token) and a single-line 'Value'");
                            ok = false;
                            continue;
                        }
                        headers.Add(new(name, value));
                    }
                    break;
            }
        }
        if (!ok) return null;
        return body is null
            ? new BlockResponse(status, headers, BlockResponse.Default.ContentType,
                Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{{\"status\":{status},\"error\":\"blocked by the web ACL\"}}")))
            : new BlockResponse(status, headers, body.ContentType, body.Content);
    }

    private IEnumerable<string> ReadRuleLabels(YamlEntry section)
    {
        if (_reader.Sequence(section.Value, "'RuleLabels'") is not { } seq) yield break;
        foreach (var node in seq.Children)
        {
            if (_reader.Mapping(node, "each rule label") is not { } map) continue;
            foreach (var e in _reader.Entries(map, "rule label", ["Name"]))
            {
                if (_reader.NonEmptyString(e, "a label such as team:blocked") is { } label)
                {
                    if (IsLabel(label)) yield return label;
                    else _reader.Error(e.Value, $"label '{YamlNodeReader.Shorten(label)}': expected letters, digits, '_', '-' and ':' separating namespaces");
                }
            }
        }
    }

    /// <summary>The pass before compiling: intern every rule's labels, ignoring errors (the real pass reports them).</summary>
    private void InternRuleLabels(YamlMappingNode rule)
    {
        foreach (var (key, value) in rule.Children)
        {
            if (key is not YamlScalarNode { Value: "RuleLabels" } || value is not YamlSequenceNode seq) continue;
            foreach (var item in seq.Children.OfType<YamlMappingNode>())
            {
                foreach (var (k, v) in item.Children)
                {
                    if (k is YamlScalarNode { Value: "Name" } && v is YamlScalarNode { Value: { } label } && IsLabel(label)) _labels.Intern(label);
                }
            }
        }
    }

    private static bool IsLabel(string label) =>
        label.Length is > 0 and <= 1024 && label.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or ':' or '.') && !label.EndsWith(':');

    private WafRuleMetadata? ReadMetadata(YamlEntry section)
    {
        if (_reader.Mapping(section.Value, "'Metadata'") is not { } map) return null;
        string? owner = null, ticket = null;
        DateTimeOffset? expires = null;
        foreach (var e in _reader.Entries(map, "'Metadata'", ["Owner", "Ticket", "ExpiresAt"]))
        {
            switch (e.Key)
            {
                case "Owner": owner = _reader.String(e); break;
                case "Ticket": ticket = _reader.String(e); break;
                case "ExpiresAt":
                    if (_reader.String(e, "an RFC 3339 time such as 2027-01-31T00:00:00Z") is { } text)
                    {
                        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)) expires = at;
                        else _reader.Error(e.Value, $"'ExpiresAt': expected an RFC 3339 time such as 2027-01-31T00:00:00Z, got '{YamlNodeReader.Shorten(text)}'");
                    }
                    break;
            }
        }
        return new WafRuleMetadata(owner, ticket, expires);
    }
}
