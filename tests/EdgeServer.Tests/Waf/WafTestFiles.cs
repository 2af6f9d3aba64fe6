using EdgeServer.Policy.Waf;
using EdgeServer.Waf.Compiler;

namespace EdgeServer.Tests.Waf;

/// <summary>Rule files (and IP set files) written to a temp directory, as security teams ship them.</summary>
public sealed class WafTestFiles : IDisposable
{
    public WafTestFiles() => Directory = System.IO.Directory.CreateTempSubdirectory("edge-waf-").FullName;

    public string Directory { get; }

    public string Write(string name, string content)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>Compiles a web ACL named "test" from rule entries (YAML, indented as list items under Rules).</summary>
    public WebAcl CompileAcl(string rules, string defaultAction = "Allow")
    {
        var result = WafCompiler.CompileFile(Write($"{Guid.NewGuid():N}.yaml", $$"""
            Name: test
            DefaultAction: { {{defaultAction}}: {} }
            Rules:
            {{rules}}
            """), new WafCounterRegistry(), DateTimeOffset.UtcNow);
        Assert.True(result.Ok, string.Join("\n", result.Errors));
        return result.Acl!;
    }

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
