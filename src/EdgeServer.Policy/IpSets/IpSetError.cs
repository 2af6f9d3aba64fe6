namespace EdgeServer.Policy.IpSets;

/// <summary>One thing wrong with an IP set file, with where it is (1-based line and column, as editors count).</summary>
public sealed record IpSetError(string File, int Line, int Column, string Message)
{
    public override string ToString() => $"{File}:{Line}:{Column}: {Message}";
}

/// <summary>Either a whole set or every error found: a file with any bad line yields no set (never half-built).</summary>
public sealed record IpSetLoadResult(IpSet? Set, IReadOnlyList<IpSetError> Errors)
{
    public bool Ok => Set is not null && Errors.Count == 0;
}
