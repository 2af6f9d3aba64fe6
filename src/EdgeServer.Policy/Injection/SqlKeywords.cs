using System.Collections.Frozen;

namespace EdgeServer.Policy.Injection;

/// <summary>
/// The keyword table: classifies a lower-cased word. Words not listed are barewords (column names, English words).
/// Deliberately short: every word listed is one a rule looks at; listing more would only change fingerprints.
/// </summary>
internal static class SqlKeywords
{
    /// <summary>The keyword table: every word a rule looks at, with its token.</summary>
    public static readonly IReadOnlyList<(string Word, SqlToken Token)> Words =
    [
        ("select", new(SqlKind.Statement, SqlWord.Select)),
        ("insert", new(SqlKind.Statement, SqlWord.Insert)),
        ("update", new(SqlKind.Statement, SqlWord.Update)),
        ("delete", new(SqlKind.Statement, SqlWord.Delete)),
        ("drop", new(SqlKind.Statement, SqlWord.Drop)),
        ("create", new(SqlKind.Statement, SqlWord.Create)),
        ("alter", new(SqlKind.Statement, SqlWord.Alter)),
        ("truncate", new(SqlKind.Statement, SqlWord.Truncate)),
        ("rename", new(SqlKind.Statement, SqlWord.Rename)),
        ("replace", new(SqlKind.Statement, SqlWord.Replace)),
        ("exec", new(SqlKind.Statement, SqlWord.Exec)),
        ("execute", new(SqlKind.Statement, SqlWord.Exec)),
        ("declare", new(SqlKind.Statement, SqlWord.Declare)),
        ("set", new(SqlKind.Statement, SqlWord.Set)),
        ("shutdown", new(SqlKind.Statement, SqlWord.Shutdown)),
        ("waitfor", new(SqlKind.Statement, SqlWord.Waitfor)),
        ("grant", new(SqlKind.Statement, SqlWord.Grant)),
        ("revoke", new(SqlKind.Statement, SqlWord.Grant)),
        ("call", new(SqlKind.Statement, SqlWord.Call)),

        ("union", new(SqlKind.Union, SqlWord.Union)),
        ("intersect", new(SqlKind.Union, SqlWord.Union)),
        ("except", new(SqlKind.Union, SqlWord.Union)),

        ("and", new(SqlKind.Logic)),
        ("or", new(SqlKind.Logic)),
        ("xor", new(SqlKind.Logic)),
        // NOT is folded away as a unary prefix: "x not like y" and "or not 1=2" read like their positive forms.
        ("not", new(SqlKind.Operator, SqlWord.Not)),
        ("like", new(SqlKind.Operator)),
        ("rlike", new(SqlKind.Operator)),
        ("regexp", new(SqlKind.Operator)),
        ("sounds", new(SqlKind.Operator)),
        ("is", new(SqlKind.Operator)),
        ("in", new(SqlKind.Operator)),
        ("between", new(SqlKind.Operator)),
        ("div", new(SqlKind.Operator)),
        ("mod", new(SqlKind.Operator)),
        ("glob", new(SqlKind.Operator)),
        ("escape", new(SqlKind.Operator)),
        ("collate", new(SqlKind.Operator)),

        ("order", new(SqlKind.Clause, SqlWord.Order)),
        ("group", new(SqlKind.Clause, SqlWord.Group)),
        ("having", new(SqlKind.Clause, SqlWord.Having)),
        ("limit", new(SqlKind.Clause, SqlWord.Limit)),
        ("offset", new(SqlKind.Clause, SqlWord.Limit)),
        ("procedure", new(SqlKind.Clause, SqlWord.Procedure)),
        ("into", new(SqlKind.Clause, SqlWord.Into)),
        ("where", new(SqlKind.Clause, SqlWord.Where)),

        ("null", new(SqlKind.Number, SqlWord.Null)),
        ("true", new(SqlKind.Number, SqlWord.True)),
        ("false", new(SqlKind.Number, SqlWord.False)),

        ("all", new(SqlKind.Keyword, SqlWord.All)),
        ("distinct", new(SqlKind.Keyword, SqlWord.Distinct)),
        ("distinctrow", new(SqlKind.Keyword, SqlWord.Distinct)),
        ("from", new(SqlKind.Keyword, SqlWord.From)),
        ("table", new(SqlKind.Keyword, SqlWord.Table)),
        ("database", new(SqlKind.Keyword, SqlWord.Database)),
        ("schema", new(SqlKind.Keyword, SqlWord.Schema)),
        ("user", new(SqlKind.Keyword, SqlWord.User)),
        ("login", new(SqlKind.Keyword, SqlWord.User)),
        ("view", new(SqlKind.Keyword, SqlWord.View)),
        ("trigger", new(SqlKind.Keyword, SqlWord.View)),
        ("event", new(SqlKind.Keyword, SqlWord.View)),
        ("index", new(SqlKind.Keyword, SqlWord.Index)),
        ("function", new(SqlKind.Keyword, SqlWord.Function)),
        ("values", new(SqlKind.Keyword, SqlWord.Values)),
        ("value", new(SqlKind.Keyword, SqlWord.Values)),
        ("outfile", new(SqlKind.Keyword, SqlWord.Outfile)),
        ("dumpfile", new(SqlKind.Keyword, SqlWord.Dumpfile)),
        ("delay", new(SqlKind.Keyword, SqlWord.Delay)),
        ("time", new(SqlKind.Keyword, SqlWord.Time)),
        ("by", new(SqlKind.Keyword, SqlWord.By)),
        ("top", new(SqlKind.Keyword, SqlWord.Top)),
        ("as", new(SqlKind.Keyword)),
        ("case", new(SqlKind.Keyword)),
        ("when", new(SqlKind.Keyword)),
        ("then", new(SqlKind.Keyword)),
        ("else", new(SqlKind.Keyword)),
        ("end", new(SqlKind.Keyword)),
        ("asc", new(SqlKind.Keyword)),
        ("desc", new(SqlKind.Keyword)),
        ("join", new(SqlKind.Keyword)),
        ("on", new(SqlKind.Keyword)),
        ("using", new(SqlKind.Keyword)),
        ("binary", new(SqlKind.Keyword)),
        ("cast", new(SqlKind.Keyword)),
        ("convert", new(SqlKind.Keyword)),
        ("if", new(SqlKind.Keyword)),
        ("exists", new(SqlKind.Keyword)),
    ];

    private static readonly FrozenDictionary<string, SqlToken>.AlternateLookup<ReadOnlySpan<char>> Table =
        Words.ToFrozenDictionary(entry => entry.Word, entry => entry.Token, StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Per word length, the first letters of the keywords: most words are barewords by this check alone.</summary>
    private static readonly uint[] FirstLetters = Words.Aggregate(new uint[MaxKeywordLength + 1], (masks, entry) =>
    {
        masks[entry.Word.Length] |= 1u << (entry.Word[0] - 'a');
        return masks;
    });

    private const int MaxKeywordLength = 16;

    public static SqlToken Classify(ReadOnlySpan<char> lower) =>
        lower.Length is > 0 and <= MaxKeywordLength && char.IsAsciiLetterLower(lower[0])
            && (FirstLetters[lower.Length] & (1u << (lower[0] - 'a'))) != 0 && Table.TryGetValue(lower, out SqlToken token)
            ? token
            : new(SqlKind.Bareword);

    /// <summary>
    /// Functions and procedures an attacker reaches for: time delays (blind injection), file and command access,
    /// and the error-based leaks. Matched on the whole (possibly package-qualified) name: time.sleep is Python, dbms_lock.sleep is Oracle.
    /// </summary>
    public static bool IsDangerous(ReadOnlySpan<char> lowerName) =>
        lowerName.Length is > 0 and <= MaxDangerousLength && char.IsAsciiLetterLower(lowerName[0])
            && (DangerousFirstLetters & (1u << (lowerName[0] - 'a'))) != 0 && Dangerous.Contains(lowerName);

    /// <summary>
    /// The runs of letters dangerous names end with ("sleep", "cmdshell" of xp_cmdshell, "name" of
    /// utl_inaddr.get_host_name): a word can only be a dangerous name if its last run of letters is one of these,
    /// which is what <see cref="SqlEvidence"/> looks for without tokenizing.
    /// </summary>
    public static IEnumerable<string> DangerousNameEndings =>
        DangerousNames.Select(name => name[(name.AsSpan().LastIndexOfAnyExceptInRange('a', 'z') + 1)..]).Distinct();

    private static readonly string[] DangerousNames =
    [
        "sleep", "pg_sleep", "benchmark", "dbms_lock.sleep", "dbms_pipe.receive_message", "randomblob",
        "utl_inaddr.get_host_name", "utl_inaddr.get_host_address", "load_file", "pg_read_file", "lo_import", "lo_export",
        "extractvalue", "updatexml", "name_const", "xp_cmdshell", "xp_dirtree", "xp_regread",
        "xp_fileexist", "sp_oacreate", "sp_executesql", "openrowset", "opendatasource",
        "sys_eval", "sys_exec", "utl_http.request", "gtid_subset",
    ];

    private const int MaxDangerousLength = 32;

    /// <summary>The first letters of the dangerous names: most words fail this before any hashing.</summary>
    private static readonly uint DangerousFirstLetters = DangerousNames.Aggregate(0u, (mask, name) =>
        name.Length <= MaxDangerousLength && char.IsAsciiLetterLower(name[0]) ? mask | (1u << (name[0] - 'a'))
            : throw new InvalidOperationException($"dangerous name {name} must start with a letter and be at most {MaxDangerousLength} chars"));

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> Dangerous =
        DangerousNames.ToFrozenSet(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();

}
