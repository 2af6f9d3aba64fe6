using EdgeServer.Config;
using EdgeServer.Config.Model;
using EdgeServer.Config.Yaml;
using EdgeServer.Policy.Waf;
using EdgeServer.Policy.Waf.Statements;
using YamlDotNet.RepresentationModel;

namespace EdgeServer.Waf.Compiler;

/// <summary>
/// Compiles a rule file (YAML or JSON, shaped on AWS WAF's web ACL JSON with file references instead of
/// ARNs) into a <see cref="WebAcl"/>. Like the config loader it never throws on bad input: every problem is
/// reported with file, line and column, and a file with any error yields no ACL, so nothing is half-applied.
/// </summary>
internal sealed partial class WafCompiler
{
    /// <summary>AWS WAF's default body inspection limit for most resources.</summary>
    public const int DefaultBodyInspectionBytes = 8 * 1024;
    public const long MaxFileBytes = 16L * 1024 * 1024;

    private static readonly string[] AclKeys = ["Name", "Description", "DefaultAction", "Rules", "CustomResponseBodies", "BodyInspectionSizeLimit", "VisibilityConfig"];
    private static readonly string[] RuleKeys = ["Name", "Priority", "Action", "Statement", "RuleLabels", "Metadata", "VisibilityConfig"];

    private readonly YamlNodeReader _reader;
    private readonly WafCounterRegistry _counters;
    private readonly DateTimeOffset _now;
    private readonly TimeProvider _clock;
    /// <summary>The ACL this file compiled to last (running now): unchanged rate-based rules keep its limiters.</summary>
    private readonly WebAcl? _previous;
    private int _limitersCarriedOver;
    private readonly List<string> _files = [];
    private readonly List<string> _notices = [];
    private readonly Dictionary<string, BlockBody> _bodies = new(StringComparer.Ordinal);
    private LabelTable _labels = new(CountryTable.Codes);
    private bool _inspectsBody;
    private bool _usesGeo;

    private WafCompiler(YamlNodeReader reader, WafCounterRegistry counters, DateTimeOffset now, WebAcl? previous, TimeProvider? clock)
    {
        _reader = reader;
        _counters = counters;
        _now = now;
        _previous = previous;
        _clock = clock ?? TimeProvider.System;
    }

    /// <param name="previous">The ACL the file compiled to before (the one running): rate-based rules whose definition did not change keep its limiters.</param>
    /// <param name="clock">The clock rate-based rules count on (the daemon's, or a test's).</param>
    public static WafCompileResult CompileFile(string path, WafCounterRegistry counters, DateTimeOffset now, WebAcl? previous = null, TimeProvider? clock = null)
    {
        var full = Path.GetFullPath(path);
        var mark = new SourceMark(full, 1, 1);
        string text;
        try
        {
            var info = new FileInfo(full);
            if (!info.Exists) return Failed(full, mark, Directory.Exists(full) ? "expected a rule file, but this is a directory" : "rule file not found");
            if (info.Length > MaxFileBytes) return Failed(full, mark, $"rule file is {info.Length} bytes; expected at most {MaxFileBytes}");
            text = File.ReadAllText(full);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Failed(full, mark, $"cannot read rule file: {ex.Message}");
        }
        return Compile(text, full, counters, now, previous, clock);
    }

    public static WafCompileResult Compile(string text, string source, WafCounterRegistry counters, DateTimeOffset now, WebAcl? previous = null, TimeProvider? clock = null)
    {
        var reader = new YamlNodeReader(source);
        var compiler = new WafCompiler(reader, counters, now, previous, clock);
        compiler._files.Add(source);
        // YAML is a superset of JSON here: one parser gives positions for both formats.
        var root = ConfigLoader.ParseSingleDocument(text, reader);
        var acl = root is null ? null : compiler.CompileAcl(root);
        var errors = reader.Errors.OrderBy(e => e.Mark.File, StringComparer.Ordinal).ThenBy(e => e.Mark.Line).ThenBy(e => e.Mark.Column).ToList();
        return new WafCompileResult(errors.Count == 0 ? acl : null, errors, compiler._files, compiler._notices, compiler._usesGeo, compiler._limitersCarriedOver);
    }

    private static WafCompileResult Failed(string file, SourceMark mark, string message) =>
        new(null, [new ConfigError(mark, message)], [file], []);

    private WebAcl? CompileAcl(YamlMappingNode root)
    {
        string? name = null;
        WafAction? defaultAction = null;
        var bodyLimit = DefaultBodyInspectionBytes;
        YamlEntry? rulesEntry = null;
        var entries = _reader.Entries(root, "the web ACL", AclKeys);
        // Custom bodies first: actions refer to them by key wherever they are written.
        foreach (var e in entries.Where(e => e.Key == "CustomResponseBodies")) ReadCustomBodies(e);
        foreach (var e in entries)
        {
            switch (e.Key)
            {
                case "Name": name = Name(e); break;
                case "Description": _reader.String(e); break;
                case "DefaultAction": defaultAction = ReadAction(e, allowCount: false); break;
                case "Rules": rulesEntry = e; break;
                case "BodyInspectionSizeLimit": bodyLimit = _reader.Int(e, min: 1024, max: 64 * 1024) ?? bodyLimit; break;
            }
        }
        var rootMark = _reader.MarkOf(root);
        if (name is null && !entries.Any(e => e.Key == "Name")) _reader.Error(rootMark, "the web ACL needs 'Name'");
        if (defaultAction is null && !entries.Any(e => e.Key == "DefaultAction"))
            _reader.Error(rootMark, "the web ACL needs 'DefaultAction': { Allow: {} } or { Block: {} }");

        var rules = rulesEntry is { } r ? CompileRules(r, name ?? "acl") : [];
        if (name is null || defaultAction is null) return null;
        return new WebAcl(name, _reader.File, defaultAction, [.. rules.OrderBy(x => x.Priority)], _labels, _inspectsBody ? bodyLimit : 0);
    }

    private List<WafRule> CompileRules(YamlEntry section, string aclName)
    {
        var rules = new List<WafRule>();
        if (_reader.Sequence(section.Value, "'Rules'") is not { } seq) return rules;
        var maps = seq.Children.Select(n => _reader.Mapping(n, "each rule")).OfType<YamlMappingNode>().ToList();
        // Pass 1: every label any rule adds, so LabelMatch (and its namespaces) can refer to rules further down.
        foreach (var map in maps) InternRuleLabels(map);
        var names = new Dictionary<string, SourceMark>(StringComparer.Ordinal);
        var priorities = new Dictionary<int, (string Name, SourceMark Mark)>();
        foreach (var map in maps)
        {
            if (CompileRule(map, aclName, names, priorities) is { } rule) rules.Add(rule);
        }
        return rules;
    }

    private WafRule? CompileRule(YamlMappingNode map, string aclName, Dictionary<string, SourceMark> names, Dictionary<int, (string, SourceMark)> priorities)
    {
        var mark = _reader.MarkOf(map);
        string? name = null;
        int? priority = null;
        WafAction? action = null;
        WafStatement? statement = null;
        YamlEntry? statementEntry = null;
        var labels = new List<int>();
        var labelNames = new List<string>();
        WafRuleMetadata metadata = new(null, null, null);
        var broken = false;
        var entries = _reader.Entries(map, "rule", RuleKeys);
        foreach (var e in entries)
        {
            switch (e.Key)
            {
                case "Name":
                    name = Name(e);
                    if (name is not null && !names.TryAdd(name, _reader.MarkOf(e.Value)))
                    {
                        _reader.Error(e.Value, $"duplicate rule name '{name}' (first at line {names[name].Line}); rule names must be unique");
                        broken = true;
                    }
                    break;
                case "Priority":
                    priority = _reader.Int(e, min: 0);
                    if (priority is { } p && !priorities.TryAdd(p, (name ?? "?", _reader.MarkOf(e.Value))))
                    {
                        _reader.Error(e.Value, $"duplicate priority {p} (rule '{priorities[p].Item1}' at line {priorities[p].Item2.Line} has it); priorities must be unique");
                        broken = true;
                    }
                    break;
                case "Action": action = ReadAction(e, allowCount: true); broken |= action is null; break;
                case "Statement": statementEntry = e; break; // read once the rule's name is known: rate-based rules need it
                case "RuleLabels":
                    foreach (var label in ReadRuleLabels(e))
                    {
                        labelNames.Add(label);
                        labels.Add(_labels.Intern(label));
                    }
                    break;
                case "Metadata": metadata = ReadMetadata(e) ?? metadata; break;
                case "VisibilityConfig": break; // AWS CloudWatch settings: accepted so AWS JSON pastes in; metrics here are always on.
            }
        }
        if (statementEntry is { } se)
        {
            statement = ReadStatement(se.Value, "Statement", new RuleScope(aclName, name ?? ""));
            broken |= statement is null;
        }
        var ruleLabel = name is null ? "rule" : $"rule '{name}'";
        foreach (var (key, what) in new[] { ("Name", "a name"), ("Priority", "a priority (lower runs first)"), ("Action", "an action (Allow, Block or Count)"), ("Statement", "a statement") })
        {
            if (!entries.Any(e => e.Key == key)) { _reader.Error(mark, $"{ruleLabel} needs '{key}': {what}"); broken = true; }
        }
        if (broken || name is null || priority is null || action is null || statement is null) return null;
        if (metadata.ExpiresAt is { } expires && expires <= _now)
            _notices.Add($"{mark}: rule '{name}' expired at {expires:O} and does not apply (owner {metadata.Owner ?? "unknown"}, ticket {metadata.Ticket ?? "none"})");
        return new WafRule(name, priority.Value, action, statement, [.. labels], string.Join(",", labelNames), metadata, _counters.For(aclName, name));
    }

    private string? Name(YamlEntry e)
    {
        var name = _reader.NonEmptyString(e, "a name of letters, digits, '-', '_' and '.'");
        if (name is null) return null;
        if (name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')) return name;
        _reader.Error(e.Value, $"'{e.Key}': expected a name of letters, digits, '-', '_' and '.', got '{YamlNodeReader.Shorten(name)}'");
        return null;
    }
}
