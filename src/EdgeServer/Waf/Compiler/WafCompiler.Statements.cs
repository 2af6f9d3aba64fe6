using System.Text;
using System.Text.RegularExpressions;
using EdgeServer.Config.Values;
using EdgeServer.Config.Yaml;
using EdgeServer.Policy.Waf;
using EdgeServer.Policy.Waf.Evaluation;
using EdgeServer.Policy.Waf.Fields;
using EdgeServer.Policy.Waf.Statements;
using YamlDotNet.RepresentationModel;

namespace EdgeServer.Waf.Compiler;

internal sealed partial class WafCompiler
{
    private static readonly string[] StatementKinds =
    [
        "ByteMatchStatement", "RegexMatchStatement", "SqliMatchStatement", "XssMatchStatement", "SizeConstraintStatement",
        "GeoMatchStatement", "IPSetReferenceStatement", "LabelMatchStatement", "AndStatement", "OrStatement", "NotStatement",
        "RateBasedStatement",
    ];

    /// <summary>
    /// No match timeout: NonBacktracking is linear in the input, and inputs are capped (field values at
    /// FieldToMatch.MaxInspectedChars, bodies at the inspected prefix), so no value can run long. A timeout
    /// would cost every call a timer check (12 ns of a 40 ns match) and throw where nothing can handle it.
    /// </summary>
    private static readonly TimeSpan s_regexTimeout = Regex.InfiniteMatchTimeout;

    /// <param name="rule">The rule when this is its top-level statement (the only place a RateBasedStatement may be); null when nested.</param>
    private WafStatement? ReadStatement(YamlNode node, string what, RuleScope? rule = null)
    {
        if (_reader.Mapping(node, $"'{what}'") is not { } map) return null;
        var entries = _reader.Entries(map, $"'{what}'", StatementKinds);
        if (entries.Count != 1)
        {
            if (entries.Count == map.Children.Count)
                _reader.Error(node, $"'{what}': expected exactly one statement ({string.Join(", ", StatementKinds)}), got {entries.Count}");
            return null;
        }
        var e = entries[0];
        if (e.Key == "RateBasedStatement" && rule is null)
        {
            _reader.Error(e.KeyNode, "'RateBasedStatement' must be a rule's top-level 'Statement' (as in AWS WAF): nested under And, Or, Not or a " +
                "scope-down, whether a request is counted would depend on the statements around it; put the other conditions in its 'ScopeDownStatement'");
            return null;
        }
        if (_reader.Mapping(e.Value, $"'{e.Key}'") is not { } body) return null;
        return e.Key switch
        {
            "RateBasedStatement" => ReadRateBased(body, rule!),
            "AndStatement" or "OrStatement" => ReadLogical(e.Key, body),
            "NotStatement" => ReadNot(body),
            "GeoMatchStatement" => ReadGeoMatch(body),
            "IPSetReferenceStatement" => ReadIpSet(body),
            "LabelMatchStatement" => ReadLabelMatch(body),
            "SizeConstraintStatement" => ReadSizeConstraint(body),
            _ => ReadTextMatch(e.Key, body),
        };
    }

    private WafStatement? ReadLogical(string kind, YamlMappingNode body)
    {
        var statements = new List<WafStatement>();
        var ok = true;
        var seen = false;
        foreach (var e in _reader.Entries(body, $"'{kind}'", ["Statements"]))
        {
            seen = true;
            if (_reader.Sequence(e.Value, "'Statements'") is not { } seq) return null;
            if (seq.Children.Count < 2) _reader.Error(e.Value, $"'{kind}' needs at least two statements (AWS WAF's rule); with one, use it directly");
            foreach (var child in seq.Children)
            {
                if (ReadStatement(child, "Statements") is { } s) statements.Add(s); else ok = false;
            }
        }
        if (!seen) _reader.Error(body, $"'{kind}' needs 'Statements'");
        if (!ok || statements.Count < 2) return null;
        return kind == "AndStatement" ? new AndStatement([.. statements]) : new OrStatement([.. statements]);
    }

    private WafStatement? ReadNot(YamlMappingNode body)
    {
        WafStatement? inner = null;
        foreach (var e in _reader.Entries(body, "'NotStatement'", ["Statement"])) inner = ReadStatement(e.Value, "Statement");
        if (inner is null && !body.Children.Any()) _reader.Error(body, "'NotStatement' needs 'Statement'");
        return inner is null ? null : new NotStatement(inner);
    }

    private WafStatement? ReadGeoMatch(YamlMappingNode body)
    {
        var countries = new List<ushort>();
        ForwardedIpConfig? forwarded = null;
        bool ok = true, seen = false;
        foreach (var e in _reader.Entries(body, "'GeoMatchStatement'", ["CountryCodes", "ForwardedIPConfig"]))
        {
            if (e.Key == "ForwardedIPConfig") { forwarded = ReadForwarded(e, positions: false); ok &= forwarded is not null; continue; }
            seen = true;
            if (_reader.Sequence(e.Value, "'CountryCodes'") is not { } seq) { ok = false; continue; }
            foreach (var node in seq.Children)
            {
                var code = _reader.Scalar(node, "each country code", "an ISO 3166-1 alpha-2 code such as GB")?.Trim();
                if (code is null) { ok = false; continue; }
                if (code.Length != 2 || !CountryTable.IsKnown(code))
                {
                    var hint = code.Equals("UK", StringComparison.OrdinalIgnoreCase) ? " (the United Kingdom is GB)" : "";
                    _reader.Error(node, $"unknown country code '{YamlNodeReader.Shorten(code)}'{hint}: expected an upper-case ISO 3166-1 alpha-2 code");
                    ok = false;
                    continue;
                }
                countries.Add(CountryCodes.Pack(code));
            }
        }
        if (!seen) { _reader.Error(body, "'GeoMatchStatement' needs 'CountryCodes'"); return null; }
        if (!ok) return null;
        if (countries.Count == 0) { _reader.Error(body, "'CountryCodes' is empty"); return null; }
        _usesGeo = true;
        return new GeoMatchStatement([.. countries], forwarded, _labels.CountryLabel);
    }

    private WafStatement? ReadLabelMatch(YamlMappingNode body)
    {
        string? scope = null, key = null;
        foreach (var e in _reader.Entries(body, "'LabelMatchStatement'", ["Scope", "Key"]))
        {
            if (e.Key == "Scope")
            {
                scope = _reader.String(e, "LABEL or NAMESPACE");
                if (scope is not null and not ("LABEL" or "NAMESPACE")) { _reader.Error(e.Value, $"'Scope': expected LABEL or NAMESPACE, got '{YamlNodeReader.Shorten(scope)}'"); return null; }
            }
            else key = _reader.NonEmptyString(e, "a label, or a namespace ending in ':'");
        }
        if (scope is null || key is null) { _reader.Error(body, "'LabelMatchStatement' needs 'Scope' (LABEL or NAMESPACE) and 'Key'"); return null; }
        if (scope == "NAMESPACE")
        {
            if (!key.EndsWith(':')) { _reader.Error(body, $"namespace '{key}' must end with ':'"); return null; }
            var ids = _labels.InNamespace(key);
            if (ids.Length == 0) _notices.Add($"{_reader.MarkOf(body)}: no rule adds a label under '{key}'; this statement never matches");
            return new LabelMatchStatement(key, isNamespace: true, ids);
        }
        if (!key.StartsWith(Policy.Waf.LabelTable.CountryNamespace, StringComparison.Ordinal) && _labels.InNamespace(key).Length == 0)
            _notices.Add($"{_reader.MarkOf(body)}: no rule adds the label '{key}'; this statement never matches");
        return new LabelMatchStatement(key, isNamespace: false, [_labels.Intern(key)]);
    }

    private WafStatement? ReadTextMatch(string kind, YamlMappingNode body)
    {
        string[] keys = kind switch
        {
            "ByteMatchStatement" => ["SearchString", "SearchStringBase64", "PositionalConstraint", "FieldToMatch", "TextTransformations"],
            "RegexMatchStatement" => ["RegexString", "FieldToMatch", "TextTransformations"],
            "SqliMatchStatement" => ["SensitivityLevel", "FieldToMatch", "TextTransformations"],
            _ => ["FieldToMatch", "TextTransformations"],
        };
        FieldToMatch? field = null;
        var transformations = Array.Empty<Policy.Waf.Transforms.TextTransformationType>();
        TextPredicate? predicate = kind switch { "SqliMatchStatement" => new SqliPredicate(), "XssMatchStatement" => new XssPredicate(), _ => null };
        string? search = null;
        var constraint = PositionalConstraint.Contains;
        var ok = true;
        Regex? regex = null;
        foreach (var e in _reader.Entries(body, $"'{kind}'", keys))
        {
            switch (e.Key)
            {
                case "FieldToMatch": field = ReadField(e); ok &= field is not null; break;
                case "TextTransformations": transformations = ReadTransformations(e) ?? transformations; break;
                case "SearchString": search = _reader.String(e); break;
                case "SearchStringBase64":
                    if (_reader.String(e) is { } b64)
                    {
                        try { search = Encoding.Latin1.GetString(Convert.FromBase64String(b64)); }
                        catch (FormatException) { _reader.Error(e.Value, "'SearchStringBase64' is not valid base64"); ok = false; }
                    }
                    break;
                case "PositionalConstraint":
                    var text = _reader.String(e, "EXACTLY, STARTS_WITH, ENDS_WITH, CONTAINS or CONTAINS_WORD");
                    if (text is null || !TryUpperSnake(text, out constraint))
                    {
                        if (text is not null) _reader.Error(e.Value, $"'PositionalConstraint': expected EXACTLY, STARTS_WITH, ENDS_WITH, CONTAINS or CONTAINS_WORD, got '{YamlNodeReader.Shorten(text)}'");
                        ok = false;
                    }
                    break;
                case "RegexString":
                    if (_reader.String(e) is { } pattern)
                    {
                        try { regex = new Regex(pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, s_regexTimeout); }
                        catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
                        {
                            _reader.Error(e.Value, $"invalid regex: {ex.Message}");
                            ok = false;
                        }
                    }
                    break;
                case "SensitivityLevel":
                    if (_reader.String(e, "LOW or HIGH") is not ("LOW" or "HIGH")) { _reader.Error(e.Value, "'SensitivityLevel': expected LOW or HIGH"); ok = false; }
                    break;
            }
        }
        if (kind == "ByteMatchStatement")
        {
            if (search is null) { _reader.Error(body, "'ByteMatchStatement' needs 'SearchString' (or 'SearchStringBase64')"); return null; }
            if (search.Length == 0) { _reader.Error(body, "'SearchString' is empty"); return null; }
            predicate = new ByteMatchPredicate(search, constraint);
        }
        else if (kind == "RegexMatchStatement")
        {
            if (regex is null) { if (ok) _reader.Error(body, "'RegexMatchStatement' needs 'RegexString'"); return null; }
            predicate = new RegexPredicate(regex);
        }
        if (field is null) { if (ok) _reader.Error(body, $"'{kind}' needs 'FieldToMatch'"); return null; }
        if (!ok || predicate is null) return null;
        _inspectsBody |= field is BodyField;
        return new TextMatchStatement(new TextInspection(field, transformations, predicate));
    }

    private WafStatement? ReadSizeConstraint(YamlMappingNode body)
    {
        FieldToMatch? field = null;
        var transformations = Array.Empty<Policy.Waf.Transforms.TextTransformationType>();
        ComparisonOperator? comparison = null;
        long? size = null;
        foreach (var e in _reader.Entries(body, "'SizeConstraintStatement'", ["FieldToMatch", "ComparisonOperator", "Size", "TextTransformations"]))
        {
            switch (e.Key)
            {
                case "FieldToMatch": field = ReadField(e); break;
                case "TextTransformations": transformations = ReadTransformations(e) ?? transformations; break;
                case "Size": size = _reader.Size(e, min: 0); break;
                case "ComparisonOperator":
                    var text = _reader.String(e, "EQ, NE, LE, LT, GE or GT");
                    if (text is not null && TryUpperSnake<ComparisonOperator>(text, out var op)) comparison = op;
                    else if (text is not null) _reader.Error(e.Value, $"'ComparisonOperator': expected EQ, NE, LE, LT, GE or GT, got '{YamlNodeReader.Shorten(text)}'");
                    break;
            }
        }
        if (field is null || comparison is null || size is null)
        {
            _reader.Error(body, "'SizeConstraintStatement' needs 'FieldToMatch', 'ComparisonOperator' and 'Size'");
            return null;
        }
        _inspectsBody |= field is BodyField && transformations.Length > 0;
        var predicate = new SizePredicate(comparison.Value, size.Value);
        return new SizeConstraintStatement(new TextInspection(field, transformations, predicate), predicate);
    }

    /// <summary>AWS's UPPER_SNAKE enum values onto our PascalCase members ("CONTAINS_WORD" is ContainsWord).</summary>
    private static bool TryUpperSnake<T>(string text, out T value) where T : struct, Enum
    {
        var pascal = string.Concat(text.Split('_').Select(p => p.Length == 0 ? p : p[0] + p[1..].ToLowerInvariant()));
        return Enum.TryParse(pascal, ignoreCase: false, out value) && text == text.ToUpperInvariant();
    }
}
