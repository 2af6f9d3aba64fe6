// Frozen copy of src/EdgeServer.Policy/Injection/SqlToken.cs as of commit c8c0ffc, before the fast paths: the oracle
// InjectionDifferentialTests compares the detectors with. Do not edit; it is the old behaviour by definition.
namespace EdgeServer.Policy.Tests.Injection.Reference;

/// <summary>What a SQL token is, at the grain the decision rules need (libinjection's token types, roughly).</summary>
internal enum SqlKind : byte
{
    End,
    String,
    Number,
    Bareword,
    Keyword,
    Union,
    Statement,
    Function,
    Operator,
    Logic,
    LeftParen,
    RightParen,
    Semicolon,
    Comma,
    Variable,
    Clause,
    Comment,
    Unknown,
}

/// <summary>The few words whose identity (not just their kind) the rules look at.</summary>
internal enum SqlWord : byte
{
    None,
    Select, Insert, Update, Delete, Drop, Create, Alter, Truncate, Rename, Replace, Exec, Declare, Set, Shutdown,
    Waitfor, Grant, Call,
    Union, All, Distinct, From, Into, Table, Database, Schema, User, View, Index, Procedure, Function, Values,
    Outfile, Dumpfile, Delay, Time, Order, Group, By, Having, Limit, Where, Not, Null, True, False, Top,
    Star, UnaryCandidate,
}

[Flags]
internal enum SqlFlags : byte
{
    None = 0,
    /// <summary>A string that ran to the end of the input without its closing quote.</summary>
    Unterminated = 1,
    /// <summary>At least one comment was folded away just before this token.</summary>
    AfterComment = 2,
    /// <summary>A function (or procedure) used for time delays, file access, command execution or error leaks.</summary>
    Dangerous = 4,
    /// <summary>
    /// An unterminated string opened by the context's own quote whose text is one value, as the final <c>1</c> of
    /// <c>1' or '1</c>: the application's closing quote completes it into the literal <c>'1'</c>. Text of several
    /// words, or starting with a space (<c>'or' is a conjunction</c>), is the rest of a sentence and is not marked.
    /// </summary>
    ValueClosedByApplication = 8,
}

internal readonly record struct SqlToken(SqlKind Kind, SqlWord Word = SqlWord.None, SqlFlags Flags = SqlFlags.None)
{
    public bool Has(SqlFlags flag) => (Flags & flag) != 0;

    public bool Is(SqlWord word) => Word == word;

    /// <summary>A value a condition can be made of.</summary>
    public bool IsOperand => Kind is SqlKind.String or SqlKind.Number or SqlKind.Bareword or SqlKind.Variable or SqlKind.Function;

    /// <summary>An operand no prose produces: a literal, a variable or a function call (barewords excluded).</summary>
    public bool IsLiteral => Kind is SqlKind.String or SqlKind.Number or SqlKind.Variable or SqlKind.Function;

    /// <summary>The character this token contributes to a fingerprint (libinjection's letters where they exist).</summary>
    public char FingerprintChar => Kind switch
    {
        SqlKind.String => 's',
        SqlKind.Number => '1',
        SqlKind.Bareword => 'n',
        SqlKind.Keyword => 'k',
        SqlKind.Union => 'U',
        SqlKind.Statement => 'E',
        SqlKind.Function => 'f',
        SqlKind.Operator => 'o',
        SqlKind.Logic => '&',
        SqlKind.LeftParen => '(',
        SqlKind.RightParen => ')',
        SqlKind.Semicolon => ';',
        SqlKind.Comma => ',',
        SqlKind.Variable => 'v',
        SqlKind.Clause => 'B',
        SqlKind.Comment => 'c',
        _ => '?',
    };
}
