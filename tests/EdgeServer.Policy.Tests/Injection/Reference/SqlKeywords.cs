// Frozen copy of src/EdgeServer.Policy/Injection/SqlKeywords.cs as of commit c8c0ffc, before the fast paths: the oracle
// InjectionDifferentialTests compares the detectors with. Do not edit; it is the old behaviour by definition.
namespace EdgeServer.Policy.Tests.Injection.Reference;

/// <summary>
/// The keyword table: classifies a lower-cased word. Words not listed are barewords (column names, English words).
/// Deliberately short: every word listed is one a rule looks at; listing more would only change fingerprints.
/// </summary>
internal static class SqlKeywords
{
    public static SqlToken Classify(ReadOnlySpan<char> lower) => lower switch
    {
        "select" => new(SqlKind.Statement, SqlWord.Select),
        "insert" => new(SqlKind.Statement, SqlWord.Insert),
        "update" => new(SqlKind.Statement, SqlWord.Update),
        "delete" => new(SqlKind.Statement, SqlWord.Delete),
        "drop" => new(SqlKind.Statement, SqlWord.Drop),
        "create" => new(SqlKind.Statement, SqlWord.Create),
        "alter" => new(SqlKind.Statement, SqlWord.Alter),
        "truncate" => new(SqlKind.Statement, SqlWord.Truncate),
        "rename" => new(SqlKind.Statement, SqlWord.Rename),
        "replace" => new(SqlKind.Statement, SqlWord.Replace),
        "exec" or "execute" => new(SqlKind.Statement, SqlWord.Exec),
        "declare" => new(SqlKind.Statement, SqlWord.Declare),
        "set" => new(SqlKind.Statement, SqlWord.Set),
        "shutdown" => new(SqlKind.Statement, SqlWord.Shutdown),
        "waitfor" => new(SqlKind.Statement, SqlWord.Waitfor),
        "grant" or "revoke" => new(SqlKind.Statement, SqlWord.Grant),
        "call" => new(SqlKind.Statement, SqlWord.Call),

        "union" or "intersect" or "except" => new(SqlKind.Union, SqlWord.Union),

        "and" or "or" or "xor" => new(SqlKind.Logic),
        // NOT is folded away as a unary prefix: "x not like y" and "or not 1=2" read like their positive forms.
        "not" => new(SqlKind.Operator, SqlWord.Not),
        "like" or "rlike" or "regexp" or "sounds" or "is" or "in" or "between" or "div" or "mod" or "glob"
            or "escape" or "collate" => new(SqlKind.Operator),

        "order" => new(SqlKind.Clause, SqlWord.Order),
        "group" => new(SqlKind.Clause, SqlWord.Group),
        "having" => new(SqlKind.Clause, SqlWord.Having),
        "limit" or "offset" => new(SqlKind.Clause, SqlWord.Limit),
        "procedure" => new(SqlKind.Clause, SqlWord.Procedure),
        "into" => new(SqlKind.Clause, SqlWord.Into),
        "where" => new(SqlKind.Clause, SqlWord.Where),

        "null" => new(SqlKind.Number, SqlWord.Null),
        "true" => new(SqlKind.Number, SqlWord.True),
        "false" => new(SqlKind.Number, SqlWord.False),

        "all" => new(SqlKind.Keyword, SqlWord.All),
        "distinct" or "distinctrow" => new(SqlKind.Keyword, SqlWord.Distinct),
        "from" => new(SqlKind.Keyword, SqlWord.From),
        "table" => new(SqlKind.Keyword, SqlWord.Table),
        "database" => new(SqlKind.Keyword, SqlWord.Database),
        "schema" => new(SqlKind.Keyword, SqlWord.Schema),
        "user" or "login" => new(SqlKind.Keyword, SqlWord.User),
        "view" or "trigger" or "event" => new(SqlKind.Keyword, SqlWord.View),
        "index" => new(SqlKind.Keyword, SqlWord.Index),
        "function" => new(SqlKind.Keyword, SqlWord.Function),
        "values" or "value" => new(SqlKind.Keyword, SqlWord.Values),
        "outfile" => new(SqlKind.Keyword, SqlWord.Outfile),
        "dumpfile" => new(SqlKind.Keyword, SqlWord.Dumpfile),
        "delay" => new(SqlKind.Keyword, SqlWord.Delay),
        "time" => new(SqlKind.Keyword, SqlWord.Time),
        "by" => new(SqlKind.Keyword, SqlWord.By),
        "top" => new(SqlKind.Keyword, SqlWord.Top),
        "as" or "case" or "when" or "then" or "else" or "end" or "asc" or "desc" or "join" or "on" or "using"
            or "binary" or "cast" or "convert" or "if" or "exists" => new(SqlKind.Keyword),
        _ => new(SqlKind.Bareword),
    };

    /// <summary>
    /// Functions and procedures an attacker reaches for: time delays (blind injection), file and command access,
    /// and the error-based leaks. Matched on the whole (possibly package-qualified) name: time.sleep is Python, dbms_lock.sleep is Oracle.
    /// </summary>
    public static bool IsDangerous(ReadOnlySpan<char> lowerName) => lowerName switch
    {
        "sleep" or "pg_sleep" or "benchmark" or "dbms_lock.sleep" or "dbms_pipe.receive_message" or "randomblob"
            or "utl_inaddr.get_host_name" or "utl_inaddr.get_host_address" or "load_file" or "pg_read_file" or "lo_import" or "lo_export"
            or "extractvalue" or "updatexml" or "name_const" or "xp_cmdshell" or "xp_dirtree" or "xp_regread"
            or "xp_fileexist" or "sp_oacreate" or "sp_executesql" or "openrowset" or "opendatasource"
            or "sys_eval" or "sys_exec" or "utl_http.request" or "gtid_subset" => true,
        _ => false,
    };
}
