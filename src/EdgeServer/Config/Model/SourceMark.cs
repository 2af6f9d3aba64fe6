namespace EdgeServer.Config.Model;

/// <summary>Where a config value came from, so errors found after parsing still name file, line and column.</summary>
public readonly record struct SourceMark(string File, int Line, int Column)
{
    public override string ToString() => $"{File}:{Line}:{Column}";
}
