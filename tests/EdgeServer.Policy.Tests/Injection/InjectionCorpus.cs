namespace EdgeServer.Policy.Tests.Injection;

/// <summary>
/// The corpus files under Injection/corpus: a header of '#' lines, then sections headed "# --- family", one input
/// per non-blank line. Only the header and the headings are comments, because inputs may start with '#' themselves
/// ("#1 best seller", "# Heading", "#include &lt;stdio.h&gt;").
/// </summary>
internal static class InjectionCorpus
{
    private const string SectionPrefix = "# --- ";

    public static IReadOnlyList<string> Load(string name) => [.. LoadSections(name).Select(entry => entry.Input)];

    /// <summary>Every input with the section (attack family or benign category) it is listed under.</summary>
    public static IReadOnlyList<(string Section, string Input)> LoadSections(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Injection", "corpus", name);
        var entries = new List<(string, string)>();
        string? section = null;
        foreach (string line in File.ReadLines(path))
        {
            if (line.StartsWith(SectionPrefix, StringComparison.Ordinal))
            {
                section = line[SectionPrefix.Length..].Trim();
            }
            else if (line.Trim().Length == 0)
            {
                continue;
            }
            else if (section is not null)
            {
                entries.Add((section, line));
            }
            else if (!line.StartsWith('#'))
            {
                throw new InvalidDataException($"{name}: input before the first section: {line}");
            }
        }

        return entries;
    }
}
