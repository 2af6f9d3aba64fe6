using EdgeServer.Config.Binding;
using EdgeServer.Config.Model;
using EdgeServer.Config.Yaml;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace EdgeServer.Config;

/// <summary>YAML text to a validated <see cref="EdgeConfig"/>, or every error found with file, line and column.</summary>
/// <remarks>Never throws on bad input: a config is either wholly valid or rejected with all its errors (no half-applied reload).</remarks>
internal static class ConfigLoader
{
    /// <summary>A config with thousands of routes is well under 1 MiB; anything near this is a wrong file.</summary>
    public const long MaxFileBytes = 16L * 1024 * 1024;

    public static ConfigLoadResult LoadFile(string path)
    {
        var fileMark = new SourceMark(path, 1, 1);
        string yaml;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
                return Failed(fileMark, Directory.Exists(path) ? "expected a config file, but this is a directory" : "config file not found");
            if (info.Length > MaxFileBytes)
                return Failed(fileMark, $"config file is {info.Length} bytes; expected at most {MaxFileBytes}");
            yaml = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.SecurityException or ArgumentException or NotSupportedException)
        {
            return Failed(fileMark, $"cannot read config file: {ex.Message}");
        }
        return LoadYaml(yaml, path);
    }

    public static ConfigLoadResult LoadYaml(string yaml, string sourceName)
    {
        var reader = new YamlNodeReader(sourceName);
        var root = ParseSingleDocument(yaml, reader);
        if (root is null) return new ConfigLoadResult(null, reader.Errors);

        var binder = new ConfigBinder(reader);
        var config = binder.Bind(root);
        ConfigValidator.Validate(config, binder.Marks, reader);
        if (reader.Errors.Count == 0) return new ConfigLoadResult(config, []);
        // Unknown keys are found before cross-section checks; report in file order, which is how people fix them.
        return new ConfigLoadResult(null, [.. reader.Errors.OrderBy(e => e.Mark.Line).ThenBy(e => e.Mark.Column)]);
    }

    internal static YamlMappingNode? ParseSingleDocument(string yaml, YamlNodeReader reader)
    {
        var stream = new YamlStream();
        var parser = new GuardedParser(new Parser(new StringReader(yaml)));
        try
        {
            stream.Load(parser);
        }
        catch (YamlException ex)
        {
            reader.Error(new SourceMark(reader.File, (int)ex.Start.Line, (int)ex.Start.Column), "invalid YAML: " + InnermostMessage(ex));
            return null;
        }
        catch (InvalidOperationException ex)
        {
            // YamlDotNet's scanner throws this (no position) on some malformed input, e.g. an unclosed "[" flow list.
            var near = parser.LastGoodMark;
            reader.Error(new SourceMark(reader.File, Math.Max(1, (int)near.Line), Math.Max(1, (int)near.Column)), $"invalid YAML after this point (check unclosed brackets or quotes): {ex.Message}");
            return null;
        }

        if (stream.Documents.Count > 1)
        {
            reader.Error(reader.MarkOf(stream.Documents[1].RootNode), "expected a single YAML document, but a second one starts here (remove the '---' separator)");
            return null;
        }
        var node = stream.Documents.Count == 1 ? stream.Documents[0].RootNode : null;
        if (node is null || (node is YamlScalarNode scalar && YamlNodeReader.IsNull(scalar)))
        {
            reader.Error(new SourceMark(reader.File, 1, 1), "the config is empty; expected a mapping with at least 'listeners'");
            return null;
        }
        return reader.Mapping(node, "the top level");
    }

    /// <summary>YamlDotNet prefixes its messages with "(Line: .., Col: ..) - (..): "; we report the position ourselves.</summary>
    private static string InnermostMessage(YamlException ex)
    {
        var message = ex.Message;
        int cut = message.IndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith('(') && cut >= 0 ? message[(cut + 3)..] : message;
    }

    private static ConfigLoadResult Failed(SourceMark mark, string message) => new(null, [new ConfigError(mark, message)]);
}
