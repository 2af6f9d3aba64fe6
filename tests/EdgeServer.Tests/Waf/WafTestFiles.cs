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

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
