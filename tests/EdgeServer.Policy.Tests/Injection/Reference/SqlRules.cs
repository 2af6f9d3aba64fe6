// Frozen copy of src/EdgeServer.Policy/Injection/SqlRules.cs as of commit c8c0ffc, before the fast paths: the oracle
// InjectionDifferentialTests compares the detectors with. Do not edit; it is the old behaviour by definition.
namespace EdgeServer.Policy.Tests.Injection.Reference;

/// <summary>
/// The decision over a folded token stream. Where libinjection looks fingerprints up in a table learnt from
/// attack traffic, these rules state the shapes of injection directly, so each one can be read and defended:
/// <list type="bullet">
/// <item>anchored at the start (an injected parameter begins with the value it pretends to be): a value, any
/// closing parentheses, then a condition after AND/OR (tautologies, boolean and time-based blind), UNION SELECT,
/// a stacked statement, a comment that cuts the query (<c>admin'--</c>), an operator into a subquery or a
/// function, or a clause (ORDER BY n, INTO OUTFILE);</item>
/// <item>anywhere: UNION SELECT with a select list, a stacked statement that is real SQL (<c>; DROP TABLE</c>),
/// a call of a dangerous function (sleep, benchmark, load_file, extractvalue...), WAITFOR DELAY, INTO OUTFILE.</item>
/// </list>
/// Prose survives because every rule wants evidence no sentence produces: a literal on one side of a
/// comparison, a select list, a statement's second keyword, a call with SQL arguments.
/// </summary>
internal static class SqlRules
{
    private const int MaxParens = 3;

    /// <param name="openQuote">The quote of the literal the input is assumed to continue, or '\0' for as-is.</param>
    public static bool IsInjection(ref SqlTokenWindow w, char openQuote)
    {
        bool quoted = openQuote != '\0';
        if (quoted && (w[0].Kind != SqlKind.String || w[0].Has(SqlFlags.Unterminated)))
        {
            // The whole input sits inside the literal: nothing of it is code in this context.
            return false;
        }

        // A statement straight after the closed literal, with no ';' (x' select ...), is T-SQL batching, and T-SQL
        // quotes strings with ' only: its " delimits identifiers (QUOTED_IDENTIFIER, on by default). Like
        // libinjection, the double-quote context is read as MySQL, where a statement needs its separator.
        bool batchesWithoutSeparator = openQuote == '\'';
        if (Anchored(ref w, quoted, batchesWithoutSeparator))
        {
            return true;
        }

        SqlToken previous = new(SqlKind.End);
        while (w[0].Kind != SqlKind.End)
        {
            if (Anywhere(ref w, previous))
            {
                return true;
            }

            previous = w[0];
            w.Advance();
        }

        return false;
    }

    private static bool Anchored(ref SqlTokenWindow w, bool quoted, bool batchesWithoutSeparator)
    {
        SqlToken first = w[0];
        int i;
        if (quoted || first.Kind is SqlKind.Number or SqlKind.Bareword or SqlKind.Variable or SqlKind.String)
        {
            i = 1;
        }
        else if (first.Kind == SqlKind.Logic)
        {
            // The whole value is a condition: "or 1=1".
            return Condition(ref w, 1, quoted);
        }
        else
        {
            i = 0;
        }

        for (int parens = 0; parens < MaxParens && w[i].Kind == SqlKind.RightParen; parens++)
        {
            i++;
        }

        if (i == 0)
        {
            return false;
        }

        SqlToken t = w[i];
        return t.Kind switch
        {
            SqlKind.Logic => Condition(ref w, i + 1, quoted),
            SqlKind.Union => UnionSelect(ref w, i, lenient: quoted || first.Kind != SqlKind.Bareword),
            SqlKind.Semicolon => (w[i + 1].Kind == SqlKind.Statement && Statement(ref w, i + 1, lenient: true))
                || (quoted && w[i + 1].Kind == SqlKind.End),
            SqlKind.End => quoted && t.Has(SqlFlags.AfterComment),
            SqlKind.Operator => OperatorInjection(ref w, i, quoted),
            SqlKind.Clause => ClauseInjection(ref w, i, quoted),
            SqlKind.Statement => batchesWithoutSeparator && Statement(ref w, i, lenient: false),
            _ => false,
        };
    }

    private static bool Anywhere(ref SqlTokenWindow w, SqlToken previous)
    {
        SqlToken t = w[0];
        return t.Kind switch
        {
            SqlKind.Union => UnionSelect(ref w, 0, lenient: previous.Kind is SqlKind.Number or SqlKind.String or SqlKind.RightParen),
            SqlKind.Semicolon => w[1].Kind == SqlKind.Statement && Statement(ref w, 1, lenient: false),
            SqlKind.Function => t.Has(SqlFlags.Dangerous) && DangerousCall(ref w, 0),
            SqlKind.Statement => (t.Is(SqlWord.Waitfor) && (w[1].Is(SqlWord.Delay) || w[1].Is(SqlWord.Time)) && w[2].Kind == SqlKind.String)
                || (t.Is(SqlWord.Exec) && w[1].Has(SqlFlags.Dangerous)),
            SqlKind.Clause => t.Is(SqlWord.Into) && (w[1].Is(SqlWord.Outfile) || w[1].Is(SqlWord.Dumpfile)),
            _ => false,
        };
    }

    /// <summary>A condition after AND/OR that is evidence: a comparison with a literal side, a subquery, a call.</summary>
    private static bool Condition(ref SqlTokenWindow w, int i, bool quoted)
    {
        int opened = 0;
        while (opened < MaxParens && w[i].Kind == SqlKind.LeftParen)
        {
            i++;
            opened++;
        }

        SqlToken a = w[i];
        if (a.Is(SqlWord.Select))
        {
            return opened > 0;
        }

        if (!a.IsOperand)
        {
            return false;
        }

        if (a.Kind == SqlKind.Function)
        {
            return true;
        }

        int j = i + 1;
        for (int closed = 0; closed < MaxParens && w[j].Kind == SqlKind.RightParen; closed++)
        {
            j++;
        }

        SqlToken next = w[j];
        if (next.Kind == SqlKind.Operator)
        {
            int k = j + 1;
            for (int parens = 0; parens < MaxParens && w[k].Kind == SqlKind.LeftParen; parens++)
            {
                k++;
            }

            SqlToken b = w[k];
            if (b.Is(SqlWord.Select))
            {
                return true;
            }

            if (!b.IsOperand)
            {
                return false;
            }

            if (a.IsLiteral || b.IsLiteral)
            {
                return true;
            }

            // name = name only counts when the rest of the query is cut off: "' or a=a--".
            SqlToken after = w[k + 1];
            return (after.Kind == SqlKind.End && after.Has(SqlFlags.AfterComment)) || after.Kind == SqlKind.Semicolon;
        }

        // A lone operand ("' or 1--", "1 and true;"): only a literal, and only where the condition ends.
        if (a.Kind == SqlKind.Bareword || next.Kind is not (SqlKind.End or SqlKind.Semicolon or SqlKind.Logic or SqlKind.Clause or SqlKind.RightParen))
        {
            return false;
        }

        if (a.Kind == SqlKind.String)
        {
            // "1' or '1": the application's closing quote completes the condition's literal ('1' or '1').
            return next.Has(SqlFlags.AfterComment) || next.Kind == SqlKind.Semicolon || a.Has(SqlFlags.ValueClosedByApplication);
        }

        // As-is, "4 or 5" is prose; it takes a comment or a following clause to look like a query.
        return quoted || next.Has(SqlFlags.AfterComment) || next.Kind is SqlKind.Semicolon or SqlKind.Logic or SqlKind.Clause;
    }

    private static bool UnionSelect(ref SqlTokenWindow w, int i, bool lenient)
    {
        int k = i + 1;
        if (w[k].Is(SqlWord.All) || w[k].Is(SqlWord.Distinct))
        {
            k++;
        }

        for (int parens = 0; parens < MaxParens && w[k].Kind == SqlKind.LeftParen; parens++)
        {
            k++;
        }

        return w[k].Is(SqlWord.Select) && (lenient || SelectList(ref w, k + 1));
    }

    /// <summary>Whether what follows SELECT is a select list rather than English ("select committee").</summary>
    private static bool SelectList(ref SqlTokenWindow w, int k)
    {
        for (int skipped = 0; skipped < 3 && (w[k].Is(SqlWord.All) || w[k].Is(SqlWord.Distinct) || w[k].Is(SqlWord.Top)); skipped++)
        {
            k += w[k].Is(SqlWord.Top) && w[k + 1].Kind == SqlKind.Number ? 2 : 1;
        }

        SqlToken t = w[k];
        SqlToken n = w[k + 1];
        if (t.Kind == SqlKind.Function)
        {
            return true;
        }

        if (t.Kind == SqlKind.LeftParen)
        {
            return n.Kind is SqlKind.Statement or SqlKind.Number or SqlKind.String or SqlKind.Function;
        }

        if (t.Word == SqlWord.Star)
        {
            return n.Is(SqlWord.From) || (n.Kind == SqlKind.End && n.Has(SqlFlags.AfterComment));
        }

        if (t.Kind == SqlKind.String && n.Kind == SqlKind.End && !n.Has(SqlFlags.AfterComment))
        {
            // In a quoted context this is merely the text up to the input's end: 'the word "select" in quotes'.
            return false;
        }

        if (t.Kind is SqlKind.Number or SqlKind.String or SqlKind.Variable)
        {
            return n.Kind is SqlKind.Comma or SqlKind.RightParen or SqlKind.Union or SqlKind.Semicolon or SqlKind.Clause
                or SqlKind.End or SqlKind.Operator || n.Is(SqlWord.From);
        }

        return t.Kind == SqlKind.Bareword
            && (n.Kind == SqlKind.Comma || n.Is(SqlWord.From) || (n.Kind == SqlKind.End && n.Has(SqlFlags.AfterComment)));
    }

    /// <summary>
    /// A statement that is real SQL: its second keyword (DROP TABLE, INSERT INTO, DELETE FROM, WAITFOR DELAY...).
    /// <paramref name="lenient"/> right after an anchored "value;" where any SELECT or EXEC counts.
    /// </summary>
    private static bool Statement(ref SqlTokenWindow w, int i, bool lenient)
    {
        SqlToken n = w[i + 1];
        switch (w[i].Word)
        {
            case SqlWord.Select:
                return lenient ? n.Kind != SqlKind.End : SelectList(ref w, i + 1);
            case SqlWord.Drop or SqlWord.Create or SqlWord.Alter or SqlWord.Truncate or SqlWord.Rename:
                return n.Word is SqlWord.Table or SqlWord.Database or SqlWord.Schema or SqlWord.User or SqlWord.View
                    or SqlWord.Index or SqlWord.Procedure or SqlWord.Function;
            case SqlWord.Insert or SqlWord.Replace:
                return n.Is(SqlWord.Into);
            case SqlWord.Delete:
                return n.Is(SqlWord.From);
            case SqlWord.Update:
                return n.Kind == SqlKind.Bareword && w[i + 2].Is(SqlWord.Set);
            case SqlWord.Exec or SqlWord.Call:
                return n.Has(SqlFlags.Dangerous) || n.Kind is SqlKind.LeftParen or SqlKind.Variable or SqlKind.String
                    || (lenient && n.Kind is SqlKind.Bareword or SqlKind.Function);
            case SqlWord.Declare or SqlWord.Set:
                return n.Kind == SqlKind.Variable;
            case SqlWord.Shutdown:
                return n.Kind is SqlKind.End or SqlKind.Semicolon || lenient;
            case SqlWord.Waitfor:
                return n.Is(SqlWord.Delay) || n.Is(SqlWord.Time);
            case SqlWord.Grant:
                return lenient || n.Is(SqlWord.All);
            default:
                return false;
        }
    }

    private static bool OperatorInjection(ref SqlTokenWindow w, int i, bool quoted)
    {
        int k = i + 1;
        for (int parens = 0; parens < MaxParens && w[k].Kind == SqlKind.LeftParen; parens++)
        {
            k++;
        }

        if (k > i + 1 && w[k].Is(SqlWord.Select))
        {
            return true;
        }

        SqlToken n = w[i + 1];
        if (n.Kind == SqlKind.Function && (quoted || n.Has(SqlFlags.Dangerous)))
        {
            return true;
        }

        // "x'='x": the closed literal compared with a literal that ends the query or continues into a condition.
        if (quoted && n.IsLiteral)
        {
            SqlToken after = w[i + 2];
            return after.Kind is SqlKind.End or SqlKind.Logic or SqlKind.Semicolon || after.Has(SqlFlags.AfterComment);
        }

        return false;
    }

    private static bool ClauseInjection(ref SqlTokenWindow w, int i, bool quoted)
    {
        SqlToken n = w[i + 1];
        switch (w[i].Word)
        {
            case SqlWord.Order or SqlWord.Group:
                return n.Is(SqlWord.By) && (quoted ? w[i + 2].IsOperand : w[i + 2].Kind == SqlKind.Number);
            case SqlWord.Having:
                return Condition(ref w, i + 1, quoted);
            case SqlWord.Where:
                return quoted && Condition(ref w, i + 1, quoted);
            case SqlWord.Limit:
                return n.Kind == SqlKind.Number && (quoted || w[i + 2].Kind == SqlKind.Comma || w[i + 2].Has(SqlFlags.AfterComment));
            case SqlWord.Procedure:
                return n.Kind == SqlKind.Function;
            case SqlWord.Into:
                return n.Is(SqlWord.Outfile) || n.Is(SqlWord.Dumpfile) || (quoted && n.Kind == SqlKind.Variable);
            default:
                return false;
        }
    }

    /// <summary>A dangerous function called with SQL arguments: sleep(5), benchmark(1e7,md5(1)), not "sleep (8 hours)".</summary>
    private static bool DangerousCall(ref SqlTokenWindow w, int i)
    {
        if (w[i + 1].Kind != SqlKind.LeftParen)
        {
            return false;
        }

        SqlToken a = w[i + 2];
        SqlKind after = w[i + 3].Kind;
        return a.Kind switch
        {
            SqlKind.Function or SqlKind.LeftParen or SqlKind.Statement => true,
            SqlKind.Number or SqlKind.String or SqlKind.Variable or SqlKind.Bareword =>
                after is SqlKind.Comma or SqlKind.RightParen or SqlKind.Operator,
            _ => false,
        };
    }
}
