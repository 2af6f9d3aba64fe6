namespace EdgeServer.Policy.Tests.Injection;

/// <summary>The corpus files under Injection/corpus: one input per line, '#' starts a comment line.</summary>
internal static class InjectionCorpus
{
    public static IReadOnlyList<string> Load(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Injection", "corpus", name);
        var lines = new List<string>();
        foreach (string line in File.ReadLines(path))
        {
            if (line.Trim().Length > 0 && !line.StartsWith('#'))
            {
                lines.Add(line);
            }
        }

        return lines;
    }
}
