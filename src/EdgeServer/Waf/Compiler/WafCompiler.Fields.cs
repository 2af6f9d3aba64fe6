using System.Text;
using EdgeServer.Config.Yaml;
using EdgeServer.Policy.Waf.Fields;
using EdgeServer.Policy.Waf.Transforms;
using YamlDotNet.RepresentationModel;

namespace EdgeServer.Waf.Compiler;

internal sealed partial class WafCompiler
{
    private static readonly string[] FieldKinds =
        ["UriPath", "QueryString", "SingleQueryArgument", "AllQueryArguments", "Method", "SingleHeader", "Headers", "Cookies", "Body", "ClientCertificate"];

    private FieldToMatch? ReadField(YamlEntry section)
    {
        if (_reader.Mapping(section.Value, "'FieldToMatch'") is not { } map) return null;
        var entries = _reader.Entries(map, "'FieldToMatch'", FieldKinds);
        if (entries.Count != 1)
        {
            if (entries.Count == map.Children.Count) _reader.Error(section.Value, $"'FieldToMatch': expected exactly one of {string.Join(", ", FieldKinds)}");
            return null;
        }
        var e = entries[0];
        var body = e.Value as YamlMappingNode;
        if (body is null && !(e.Value is YamlScalarNode s && YamlNodeReader.IsNull(s)))
        {
            _reader.Error(e.Value, $"'{e.Key}': expected a mapping ({{}} when it has no settings)");
            return null;
        }
        body ??= new YamlMappingNode();
        return e.Key switch
        {
            "UriPath" => NoSettings(body, e.Key, new UriPathField()),
            "QueryString" => NoSettings(body, e.Key, new QueryStringField()),
            "Method" => NoSettings(body, e.Key, new MethodField()),
            "AllQueryArguments" => NoSettings(body, e.Key, new QueryArgumentsField(null)),
            "SingleQueryArgument" => RequiredName(body, e.Key) is { } arg ? new QueryArgumentsField(arg) : null,
            "SingleHeader" => RequiredName(body, e.Key) is { } header ? new SingleHeaderField(header) : null,
            "Headers" => ReadKeyValueField(body, e.Key, "IncludedHeaders", "ExcludedHeaders"),
            "Cookies" => ReadKeyValueField(body, e.Key, "IncludedCookies", "ExcludedCookies"),
            "Body" => ReadBody(body),
            _ => ReadCertificatePart(body),
        };
    }

    private FieldToMatch NoSettings(YamlMappingNode body, string kind, FieldToMatch field)
    {
        _reader.Entries(body, $"'{kind}'", []);
        return field;
    }

    private byte[]? RequiredName(YamlMappingNode body, string kind)
    {
        string? name = null;
        foreach (var e in _reader.Entries(body, $"'{kind}'", ["Name"])) name = _reader.NonEmptyString(e, "a name");
        if (name is null) { _reader.Error(body, $"'{kind}' needs 'Name'"); return null; }
        return Encoding.ASCII.GetBytes(name);
    }

    private FieldToMatch? ReadKeyValueField(YamlMappingNode body, string kind, string includedKey, string excludedKey)
    {
        var pattern = NamePattern.All;
        var scope = MatchScope.All;
        var oversize = OversizeHandling.Continue;
        var sawPattern = false;
        foreach (var e in _reader.Entries(body, $"'{kind}'", ["MatchPattern", "MatchScope", "OversizeHandling"]))
        {
            switch (e.Key)
            {
                case "MatchPattern":
                    sawPattern = true;
                    if (ReadNamePattern(e, includedKey, excludedKey) is { } p) pattern = p; else return null;
                    break;
                case "MatchScope":
                    if (!TryEnumValue(e, "ALL, KEY or VALUE", out scope)) return null;
                    break;
                case "OversizeHandling":
                    if (!TryEnumValue(e, "CONTINUE, MATCH or NO_MATCH", out oversize)) return null;
                    break;
            }
        }
        if (!sawPattern) { _reader.Error(body, $"'{kind}' needs 'MatchPattern' ({{ All: {{}} }}, {includedKey} or {excludedKey})"); return null; }
        return kind == "Headers" ? new HeadersField(pattern, scope, oversize) : new CookiesField(pattern, scope, oversize);
    }

    private NamePattern? ReadNamePattern(YamlEntry section, string includedKey, string excludedKey)
    {
        if (_reader.Mapping(section.Value, "'MatchPattern'") is not { } map) return null;
        var entries = _reader.Entries(map, "'MatchPattern'", ["All", includedKey, excludedKey]);
        if (entries.Count != 1) { _reader.Error(section.Value, $"'MatchPattern': expected exactly one of All, {includedKey}, {excludedKey}"); return null; }
        var e = entries[0];
        if (e.Key == "All") return NamePattern.All;
        if (_reader.Sequence(e.Value, $"'{e.Key}'") is not { } seq) return null;
        var names = seq.Children.Select(n => _reader.Scalar(n, "each name", "a name")).OfType<string>().Select(Encoding.ASCII.GetBytes).ToArray();
        if (names.Length != seq.Children.Count) return null;
        return e.Key == includedKey ? new NamePattern(names, null) : new NamePattern(null, names);
    }

    private FieldToMatch? ReadBody(YamlMappingNode body)
    {
        var oversize = OversizeHandling.Continue;
        foreach (var e in _reader.Entries(body, "'Body'", ["OversizeHandling"]))
        {
            if (!TryEnumValue(e, "CONTINUE, MATCH or NO_MATCH", out oversize)) return null;
        }
        return new BodyField(oversize);
    }

    private FieldToMatch? ReadCertificatePart(YamlMappingNode body)
    {
        CertificatePart? part = null;
        foreach (var e in _reader.Entries(body, "'ClientCertificate'", ["Part"]))
        {
            if (TryEnumValue<CertificatePart>(e, "SUBJECT, ISSUER, SUBJECT_ALTERNATIVE_NAMES or FINGERPRINT", out var p)) part = p; else return null;
        }
        if (part is null) { _reader.Error(body, "'ClientCertificate' needs 'Part': SUBJECT, ISSUER, SUBJECT_ALTERNATIVE_NAMES or FINGERPRINT"); return null; }
        return new ClientCertificateField(part.Value);
    }

    private bool TryEnumValue<T>(YamlEntry e, string expected, out T value) where T : struct, Enum
    {
        value = default;
        var text = _reader.String(e, expected);
        if (text is null) return false;
        if (TryUpperSnake(text, out value)) return true;
        _reader.Error(e.Value, $"'{e.Key}': expected {expected}, got '{YamlNodeReader.Shorten(text)}'");
        return false;
    }

    /// <summary>[{ Priority, Type }], applied in priority order (AWS WAF's shape); priorities must be unique.</summary>
    private TextTransformationType[]? ReadTransformations(YamlEntry section)
    {
        if (_reader.Sequence(section.Value, "'TextTransformations'") is not { } seq) return null;
        var list = new List<(int Priority, TextTransformationType Type)>();
        var ok = true;
        foreach (var node in seq.Children)
        {
            if (_reader.Mapping(node, "each text transformation") is not { } map) { ok = false; continue; }
            int? priority = null;
            TextTransformationType? type = null;
            foreach (var e in _reader.Entries(map, "text transformation", ["Priority", "Type"]))
            {
                if (e.Key == "Priority") priority = _reader.Int(e, min: 0);
                else if (_reader.String(e, "a transformation such as URL_DECODE") is { } name)
                {
                    if (TextTransformations.TryParse(name, out var t)) type = t;
                    else
                    {
                        var known = Enum.GetValues<TextTransformationType>().Select(TextTransformations.AwsName).ToArray();
                        var suggestion = KeySuggestion.Closest(name, known);
                        _reader.Error(e.Value, $"unknown text transformation '{YamlNodeReader.Shorten(name)}'{(suggestion is null ? "" : $" (did you mean '{suggestion}'?)")}; expected one of {string.Join(", ", known)}");
                    }
                }
            }
            if (priority is null || type is null) { if (priority is null && type is not null) _reader.Error(node, "text transformation needs 'Priority'"); ok = false; continue; }
            if (list.Any(x => x.Priority == priority)) { _reader.Error(node, $"duplicate text transformation priority {priority}"); ok = false; continue; }
            list.Add((priority.Value, type.Value));
        }
        return ok ? [.. list.OrderBy(x => x.Priority).Select(x => x.Type).Where(t => t != TextTransformationType.None)] : null;
    }
}
